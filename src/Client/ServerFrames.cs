namespace ActorQuotes.Client;

/// <summary>
/// <c>price_update</c> on the watchlist stream: the watchlist's stocks (all of them, or in changes mode only the
/// ones that moved) with totals over the whole watchlist.
/// </summary>
public sealed record PriceUpdate : SequencedFrame
{
    /// <summary>The streamed watchlist.</summary>
    public long WatchlistId { get; init; }

    /// <summary>The stocks, in the order they were added to the watchlist.</summary>
    public IReadOnlyList<StockRow> Stocks { get; init; } = [];

    /// <summary>When the server built the frame (UTC; the wire form has seconds and no offset).</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Sums over every stock of the watchlist, also in changes mode.</summary>
    public Totals Totals { get; init; } = new();

    /// <summary>Changes mode: symbols removed from the watchlist since the previous frame; otherwise empty.</summary>
    public IReadOnlyList<string> Removed
    {
        get => _removed ?? [];

        // The generated reader sets every init-only property, to null when the frame leaves it out.
        init => _removed = value;
    }

    private readonly IReadOnlyList<string>? _removed;
}

/// <summary>One stock of a <see cref="PriceUpdate"/>.</summary>
public sealed record StockRow
{
    /// <summary>The company's catalog id.</summary>
    public long CompanyId { get; init; }

    /// <summary>The ticker symbol, such as <c>7203</c> or <c>AAPL</c>.</summary>
    public string TickerSymbol { get; init; } = "";

    /// <summary>The company's name as the catalog spells it.</summary>
    public string CompanyName { get; init; } = "";

    /// <summary>The ticker's latest accepted price.</summary>
    public double CurrentPrice { get; init; }

    /// <summary>Current price − previous close.</summary>
    public double Change { get; init; }

    /// <summary>Change / previous close × 100, rounded to two places.</summary>
    public double ChangePercent { get; init; }

    /// <summary>Shares held.</summary>
    public double Quantity { get; init; }

    /// <summary>Price paid per share.</summary>
    public double PurchasePrice { get; init; }

    /// <summary>(Current price − purchase price) × quantity.</summary>
    public double UnrealizedPl { get; init; }
}

/// <summary>Sums over a watchlist's stocks (plain sums across currencies).</summary>
public sealed record Totals
{
    /// <summary>Σ current price × quantity.</summary>
    public double MarketValue { get; init; }

    /// <summary>Σ purchase price × quantity.</summary>
    public double Cost { get; init; }

    /// <summary>Σ unrealized P&amp;L.</summary>
    public double UnrealizedPl { get; init; }

    /// <summary>Σ change × quantity.</summary>
    public double DayChange { get; init; }
}

/// <summary><c>quote</c> on the quote stream: the newest quote of one subscribed symbol.</summary>
public sealed record QuoteUpdate : SequencedFrame
{
    /// <summary>The ticker symbol as the catalog spells it.</summary>
    public string TickerSymbol { get; init; } = "";

    /// <summary>The latest accepted price.</summary>
    public double Price { get; init; }

    /// <summary>The previous trading day's close.</summary>
    public double PreviousClose { get; init; }

    /// <summary>Price − previous close.</summary>
    public double Change { get; init; }

    /// <summary>Change / previous close × 100, rounded to two places.</summary>
    public double ChangePercent { get; init; }

    /// <summary>First accepted price of the trading day.</summary>
    public double Open { get; init; }

    /// <summary>Highest accepted price of the trading day.</summary>
    public double DayHigh { get; init; }

    /// <summary>Lowest accepted price of the trading day.</summary>
    public double DayLow { get; init; }

    /// <summary>Shares traded this trading day.</summary>
    public long Volume { get; init; }

    /// <summary>The tick's time (UTC).</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>The ticker's own counter of accepted quotes (not the socket's <see cref="SequencedFrame.Sequence"/>).</summary>
    public long QuoteSequence { get; init; }
}

/// <summary><c>subscribed</c> on the quote stream: the socket's whole symbol set after a subscribe or unsubscribe.</summary>
public sealed record Subscribed : SequencedFrame
{
    /// <summary>Every symbol the socket follows, as the catalog spells them.</summary>
    public IReadOnlyList<string> Symbols { get; init; } = [];
}

/// <summary><c>heartbeat</c>: the link is alive and nothing else was sent for a while.</summary>
public sealed record Heartbeat : SequencedFrame
{
    /// <summary>When the server sent it (UTC).</summary>
    public DateTimeOffset Timestamp { get; init; }
}

/// <summary>
/// <c>error</c>: sent before the server closes the socket for a reason of its own, and on the quote stream for a
/// bad client message that leaves the socket open (<c>unknown_symbol</c>, <c>unknown_action</c>,
/// <c>bad_request</c>, <c>message_too_large</c>, <c>too_many_symbols</c>). Carries no sequence.
/// </summary>
public sealed record ErrorFrame : StreamEvent
{
    /// <summary>A stable code, such as <c>unauthorized</c> or <c>unknown_symbol</c>.</summary>
    public string Code { get; init; } = "";

    /// <summary>A sentence for people.</summary>
    public string Message { get; init; } = "";
}
