using System.Text.Json.Serialization;
using ActorQuotes.Contracts.Routing;
using ActorQuotes.Contracts.Serialization;

namespace ActorQuotes.Contracts.Tickers;

/// <summary>Feed → ticker: a new trade price. No reply; a bad tick is dropped and counted.</summary>
[SerializationManifest("aq.tk.tick")]
public sealed record Tick(string Symbol, double Price, long Volume, DateTimeOffset Timestamp)
    : IWithSymbol, IActorQuotesMessage;

/// <summary>Anyone → ticker: the current quote. Replies <see cref="Quote"/> or <see cref="QuoteUnavailable"/>.</summary>
[SerializationManifest("aq.tk.get-quote")]
public sealed record GetQuote(string Symbol) : IWithSymbol, IActorQuotesMessage;

/// <summary>
/// The latest quote of one symbol, published once per accepted tick on <see cref="Topics.Quotes"/>.
/// <paramref name="Sequence"/> grows by one per accepted tick.
/// </summary>
[SerializationManifest("aq.tk.quote")]
public sealed record Quote(string Symbol, double Price, double PreviousClose, DateTimeOffset Timestamp, long Sequence)
    : IActorQuotesMessage
{
    [JsonIgnore]
    public double Change => Price - PreviousClose;

    /// <summary>Change against the previous close in percent, rounded to two places as the prototype did.</summary>
    [JsonIgnore]
    public double ChangePercent => PreviousClose == 0 ? 0 : Math.Round(Change / PreviousClose * 100, 2);

    /// <summary>True when this quote is newer than <paramref name="other"/> (or there is none).</summary>
    public bool IsNewerThan(Quote? other) =>
        other is null || Sequence > other.Sequence || Timestamp > other.Timestamp;
}

/// <summary>Ticker → asker: the symbol is not in the catalog.</summary>
[SerializationManifest("aq.tk.unavailable")]
public sealed record QuoteUnavailable(string Symbol) : IActorQuotesMessage;
