namespace ActorQuotes.Client;

/// <summary>What a watchlist stream's frames cover.</summary>
public enum WatchlistStreamMode
{
    /// <summary>Every frame lists every stock (the prototype's form).</summary>
    Full,

    /// <summary>The first frame is full; later ones list only the stocks that changed, plus <see cref="PriceUpdate.Removed"/>.</summary>
    Changes,
}

/// <summary>Per-socket options of a watchlist stream (the <c>interval_ms</c> and <c>mode</c> query parameters).</summary>
public sealed record WatchlistStreamOptions
{
    /// <summary>At most one frame per interval, 0–60 s, whole milliseconds; null for the server's default (250 ms).</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>Full frames, or changes only.</summary>
    public WatchlistStreamMode Mode { get; init; } = WatchlistStreamMode.Full;
}

/// <summary>Per-socket options of a quote stream (the <c>interval_ms</c> query parameter).</summary>
public sealed record QuoteStreamOptions
{
    /// <summary>At most one round of quotes per interval, 0–60 s, whole milliseconds; null for the server's default.</summary>
    public TimeSpan? Interval { get; init; }
}
