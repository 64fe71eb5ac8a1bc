using ActorQuotes.Contracts.Serialization;

namespace ActorQuotes.Contracts.Watchlists;

/// <summary>
/// An event in a watchlist's journal. Schemas only grow: a new field is optional, and
/// <see cref="SchemaVersion"/> says which shape wrote the payload (payloads from before the field read as 1).
/// </summary>
public interface IWatchlistEvent : IActorQuotesMessage
{
    DateTimeOffset At { get; }

    int SchemaVersion { get; }

    /// <summary>The Idempotency-Key of the request that made this change, if it had one (absent in old payloads).</summary>
    string? IdempotencyKey { get; }

    /// <summary>What that request was (<c>WatchlistState.RequestOf</c>), so the same key with another request is refused.</summary>
    string? Request { get; }
}

[SerializationManifest("aq.wl.ev.created")]
public sealed record WatchlistCreated(long WatchlistId, long OwnerId, string Name, DateTimeOffset At) : IWatchlistEvent
{
    public int SchemaVersion { get; init; } = 1;

    public string? IdempotencyKey { get; init; }

    public string? Request { get; init; }
}

[SerializationManifest("aq.wl.ev.stock-added")]
public sealed record StockAdded(string TickerSymbol, double Quantity, double PurchasePrice, DateTimeOffset At)
    : IWatchlistEvent
{
    public int SchemaVersion { get; init; } = 1;

    public string? IdempotencyKey { get; init; }

    public string? Request { get; init; }
}

[SerializationManifest("aq.wl.ev.position-changed")]
public sealed record PositionChanged(string TickerSymbol, double Quantity, double PurchasePrice, DateTimeOffset At)
    : IWatchlistEvent
{
    public int SchemaVersion { get; init; } = 1;

    public string? IdempotencyKey { get; init; }

    public string? Request { get; init; }
}

[SerializationManifest("aq.wl.ev.stock-removed")]
public sealed record StockRemoved(string TickerSymbol, DateTimeOffset At) : IWatchlistEvent
{
    public int SchemaVersion { get; init; } = 1;

    public string? IdempotencyKey { get; init; }

    public string? Request { get; init; }
}

[SerializationManifest("aq.wl.ev.deleted")]
public sealed record WatchlistDeleted(DateTimeOffset At) : IWatchlistEvent
{
    public int SchemaVersion { get; init; } = 1;

    public string? IdempotencyKey { get; init; }

    public string? Request { get; init; }
}

[SerializationManifest("aq.wl.ev.renamed")]
public sealed record WatchlistRenamed(string Name, DateTimeOffset At) : IWatchlistEvent
{
    public int SchemaVersion { get; init; } = 1;

    public string? IdempotencyKey { get; init; }

    public string? Request { get; init; }
}

/// <summary>
/// Tombstone: the owner's link to this id was reconciled before any create was journaled, so no create ever
/// will be (<see cref="AbandonWatchlist"/>). Written only for an id that was never created.
/// </summary>
[SerializationManifest("aq.wl.ev.abandoned")]
public sealed record WatchlistAbandoned(DateTimeOffset At) : IWatchlistEvent
{
    public int SchemaVersion { get; init; } = 1;

    public string? IdempotencyKey { get; init; }

    public string? Request { get; init; }
}
