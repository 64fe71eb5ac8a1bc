using ActorQuotes.Contracts.Serialization;

namespace ActorQuotes.Contracts.Watchlists;

/// <summary>An event in a watchlist's journal. Schemas only grow: new fields are optional.</summary>
public interface IWatchlistEvent : IActorQuotesMessage
{
    DateTimeOffset At { get; }
}

[SerializationManifest("aq.wl.ev.created")]
public sealed record WatchlistCreated(long WatchlistId, long OwnerId, string Name, DateTimeOffset At) : IWatchlistEvent;

[SerializationManifest("aq.wl.ev.stock-added")]
public sealed record StockAdded(string TickerSymbol, double Quantity, double PurchasePrice, DateTimeOffset At)
    : IWatchlistEvent;

[SerializationManifest("aq.wl.ev.position-changed")]
public sealed record PositionChanged(string TickerSymbol, double Quantity, double PurchasePrice, DateTimeOffset At)
    : IWatchlistEvent;

[SerializationManifest("aq.wl.ev.stock-removed")]
public sealed record StockRemoved(string TickerSymbol, DateTimeOffset At) : IWatchlistEvent;

[SerializationManifest("aq.wl.ev.deleted")]
public sealed record WatchlistDeleted(DateTimeOffset At) : IWatchlistEvent;
