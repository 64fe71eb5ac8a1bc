using System.Collections.Immutable;
using System.Text.Json.Serialization;
using ActorQuotes.Contracts.Routing;
using ActorQuotes.Contracts.Serialization;

namespace ActorQuotes.Contracts.Tickers;

/// <summary>Feed → ticker: a new trade price. No reply; a bad tick is dropped and counted.</summary>
[SerializationManifest("aq.tk.tick")]
public sealed record Tick(string Symbol, double Price, long Volume, DateTimeOffset Timestamp)
    : IWithSymbol, IActorQuotesMessage;

/// <summary>Why a ticker refused a tick. A refused tick changes nothing and publishes nothing.</summary>
public enum TickRejection
{
    /// <summary>NaN or infinite price.</summary>
    NotFinite,

    /// <summary>Price zero or below.</summary>
    NotPositive,

    /// <summary>The symbol is not in the catalog.</summary>
    UnknownSymbol,

    /// <summary>Older than the last accepted tick.</summary>
    OutOfOrder,

    /// <summary>A jump from the last price beyond the configured band.</summary>
    OutsideBand,

    /// <summary>Dated further ahead of the ticker's clock than <c>Tickers:MaxFutureSkew</c> (added after v1).</summary>
    FutureTimestamp,
}

/// <summary>
/// Ingest API → ticker: a tick from an external adapter that wants to know what became of it.
/// Replies <see cref="TickAccepted"/> or <see cref="TickRejected"/>.
/// </summary>
[SerializationManifest("aq.tk.ingest")]
public sealed record IngestTick(string Symbol, double Price, long Volume, DateTimeOffset Timestamp)
    : IWithSymbol, IActorQuotesMessage
{
    public Tick ToTick() => new(Symbol, Price, Volume, Timestamp);
}

[SerializationManifest("aq.tk.accepted")]
public sealed record TickAccepted(string Symbol, long Sequence) : IActorQuotesMessage;

[SerializationManifest("aq.tk.rejected")]
public sealed record TickRejected(string Symbol, TickRejection Reason) : IActorQuotesMessage;

/// <summary>Anyone → ticker: counters. Replies <see cref="TickerStats"/>.</summary>
[SerializationManifest("aq.tk.get-stats")]
public sealed record GetTickerStats(string Symbol) : IWithSymbol, IActorQuotesMessage;

/// <summary>A ticker's current quote, ticks accepted and ticks rejected by reason since it started.</summary>
[SerializationManifest("aq.tk.stats")]
public sealed record TickerStats(string Symbol, Quote Quote, long Accepted, ImmutableDictionary<TickRejection, long> Rejected)
    : IActorQuotesMessage
{
    /// <summary>The last tick refused since it started, for "why was that tick rejected" (added after v1: null in old payloads).</summary>
    public RejectedTick? LastRejected { get; init; }
}

/// <summary>A refused tick as it came (price, its timestamp), why, and when the ticker refused it.</summary>
public sealed record RejectedTick(TickRejection Reason, double Price, DateTimeOffset Timestamp, DateTimeOffset RejectedAt);

/// <summary>A ticker's saved state, so a restarted or moved ticker resumes its day.</summary>
[SerializationManifest("aq.tk.snapshot")]
public sealed record TickerSnapshot(Quote Quote, DateTimeOffset NextRollAt) : IActorQuotesMessage
{
    /// <summary>The highest quote sequence reserved so far (added after v1: 0 in old payloads).</summary>
    public long ReservedThrough { get; init; }
}

/// <summary>
/// Journal event: the ticker may number quotes up to <paramref name="Through"/>; any later incarnation of
/// it numbers above it. Written once per block of sequence numbers, before the first of them is used.
/// </summary>
[SerializationManifest("aq.tk.ev.reserved")]
public sealed record QuoteSequencesReserved(long Through) : IActorQuotesMessage;

/// <summary>
/// Operator (admin endpoint, <c>aq ticker reset</c>) → ticker: forget the day and the last tick's time; the
/// price goes back to the previous close and quoting goes on with the next sequence number. Replies the
/// published <see cref="Quote"/>, or <see cref="QuoteUnavailable"/> for a symbol not in the catalog.
/// </summary>
[SerializationManifest("aq.tk.reset")]
public sealed record ResetTicker(string Symbol) : IWithSymbol, IActorQuotesMessage;

/// <summary>Anyone → ticker: the current quote. Replies <see cref="Quote"/> or <see cref="QuoteUnavailable"/>.</summary>
[SerializationManifest("aq.tk.get-quote")]
public sealed record GetQuote(string Symbol) : IWithSymbol, IActorQuotesMessage;

/// <summary>
/// The latest quote of one symbol, published once per accepted tick on <see cref="Topics.Quotes"/>.
/// <paramref name="Sequence"/> grows by one per accepted tick within one incarnation of the ticker and
/// jumps forward when the ticker is restarted or moved; it never goes back (docs/protocol.md).
/// </summary>
[SerializationManifest("aq.tk.quote")]
public sealed record Quote(string Symbol, double Price, double PreviousClose, DateTimeOffset Timestamp, long Sequence)
    : IActorQuotesMessage
{
    /// <summary>First accepted price of the trading day (added after v1: 0 in old payloads).</summary>
    public double Open { get; init; }

    public double DayHigh { get; init; }

    public double DayLow { get; init; }

    /// <summary>Shares traded this trading day, summed over accepted ticks.</summary>
    public long Volume { get; init; }

    [JsonIgnore]
    public double Change => Frames.PriceMath.Change(Price, PreviousClose);

    /// <summary>Change against the previous close in percent, rounded to two places as the prototype did.</summary>
    [JsonIgnore]
    public double ChangePercent => Frames.PriceMath.ChangePercent(Price, PreviousClose);

    /// <summary>
    /// True when this quote is newer than <paramref name="other"/> (or there is none): its sequence is higher.
    /// Sequences never go back, so a lower one is a stale quote from an earlier incarnation of the ticker,
    /// whatever its timestamp says.
    /// </summary>
    public bool IsNewerThan(Quote? other) =>
        other is null || Sequence > other.Sequence;
}

/// <summary>Ticker → asker: the symbol is not in the catalog.</summary>
[SerializationManifest("aq.tk.unavailable")]
public sealed record QuoteUnavailable(string Symbol) : IActorQuotesMessage;
