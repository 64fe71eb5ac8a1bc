using System.Collections.Immutable;
using ActorQuotes.Contracts.Routing;
using ActorQuotes.Contracts.Serialization;

namespace ActorQuotes.Contracts.Watchlists;

/// <summary>A command or query for one watchlist entity.</summary>
public interface IWatchlistRequest : IWithWatchlistId, IActorQuotesMessage
{
    /// <summary>The user asking; a watchlist answers anyone but its owner as if it did not exist.</summary>
    long RequesterId { get; }
}

/// <summary>Why a watchlist command was refused.</summary>
public enum WatchlistRejection
{
    /// <summary>No such watchlist, or not the requester's.</summary>
    NotFound,

    /// <summary>The watchlist exists but holds no such stock.</summary>
    StockNotFound,
    AlreadyExists,
    Invalid,
    LimitReached,

    /// <summary>The journal cannot be written or read right now; nothing was changed. Retry later.</summary>
    Unavailable,

    /// <summary>
    /// The journal write failed: Akka cannot say whether the event was stored, so the change may or may not
    /// have happened. Retry with the same Idempotency-Key.
    /// </summary>
    OutcomeUnknown,

    /// <summary>The Idempotency-Key was already used on this watchlist for a different request.</summary>
    IdempotencyKeyReused,

    /// <summary>
    /// A create refused because its owner's link was reconciled away first (<see cref="AbandonWatchlist"/>):
    /// nothing was created. Retry; a retry gets a new id.
    /// </summary>
    Abandoned,
}

/// <summary>One position: ticker, quantity and purchase price.</summary>
[SerializationManifest("aq.wl.position")]
public sealed record Position(string TickerSymbol, double Quantity, double PurchasePrice) : IActorQuotesMessage;

/// <summary>Gateway → watchlist: create it for <paramref name="RequesterId"/>. Replies <see cref="WatchlistView"/>.</summary>
[SerializationManifest("aq.wl.create")]
public sealed record CreateWatchlist(long WatchlistId, long RequesterId, string Name) : IWatchlistRequest;

/// <summary>Gateway → watchlist: add or replace a position. Replies <see cref="WatchlistView"/>.</summary>
[SerializationManifest("aq.wl.upsert-position")]
public sealed record UpsertPosition(
    long WatchlistId,
    long RequesterId,
    string TickerSymbol,
    double Quantity,
    double PurchasePrice) : IWatchlistRequest, IKeyedWrite
{
    /// <inheritdoc />
    public string? IdempotencyKey { get; init; }
}

/// <summary>Gateway → watchlist: remove a position. Replies <see cref="WatchlistView"/>.</summary>
[SerializationManifest("aq.wl.remove-position")]
public sealed record RemovePosition(long WatchlistId, long RequesterId, string TickerSymbol) : IWatchlistRequest, IKeyedWrite
{
    /// <inheritdoc />
    public string? IdempotencyKey { get; init; }
}

/// <summary>Gateway → watchlist: rename it. Replies <see cref="WatchlistView"/>.</summary>
[SerializationManifest("aq.wl.rename")]
public sealed record RenameWatchlist(long WatchlistId, long RequesterId, string Name) : IWatchlistRequest, IKeyedWrite
{
    /// <inheritdoc />
    public string? IdempotencyKey { get; init; }
}

/// <summary>Gateway → watchlist: delete it. Replies <see cref="WatchlistDeletedReply"/>.</summary>
[SerializationManifest("aq.wl.delete")]
public sealed record DeleteWatchlist(long WatchlistId, long RequesterId) : IWatchlistRequest, IKeyedWrite
{
    /// <inheritdoc />
    public string? IdempotencyKey { get; init; }
}

/// <summary>
/// Gateway → watchlist, reconciling an owner's link to this id: a watchlist not created by now never will be
/// (a later <see cref="CreateWatchlist"/> is refused <see cref="WatchlistRejection.Abandoned"/>). Replies
/// <see cref="WatchlistView"/> if it exists and is the requester's (the link is real), otherwise
/// <see cref="WatchlistAbandonedReply"/> (the link is dead and may be removed).
/// </summary>
[SerializationManifest("aq.wl.abandon")]
public sealed record AbandonWatchlist(long WatchlistId, long RequesterId) : IWatchlistRequest;

/// <summary>Reply to <see cref="AbandonWatchlist"/>: no watchlist of the requester's has this id, nor ever will.</summary>
[SerializationManifest("aq.wl.abandoned-reply")]
public sealed record WatchlistAbandonedReply(long WatchlistId) : IActorQuotesMessage;

/// <summary>Gateway or session → watchlist: read it. Replies <see cref="WatchlistView"/>.</summary>
[SerializationManifest("aq.wl.get")]
public sealed record GetWatchlist(long WatchlistId, long RequesterId) : IWatchlistRequest;

/// <summary>The watchlist as its owner sees it, after the command that produced it was journaled.</summary>
[SerializationManifest("aq.wl.view")]
public sealed record WatchlistView(
    long WatchlistId,
    long OwnerId,
    string Name,
    ImmutableList<Position> Stocks,
    long Version) : IActorQuotesMessage;

/// <summary>Reply to <see cref="DeleteWatchlist"/> once the deletion is journaled.</summary>
[SerializationManifest("aq.wl.deleted-reply")]
public sealed record WatchlistDeletedReply(long WatchlistId) : IActorQuotesMessage;

/// <summary>A refused watchlist command; nothing was changed.</summary>
[SerializationManifest("aq.wl.rejected")]
public sealed record WatchlistCommandRejected(long WatchlistId, WatchlistRejection Code, string Reason)
    : IActorQuotesMessage;

/// <summary>Watchlist → its pub-sub topic after every journaled change, for live sessions.</summary>
[SerializationManifest("aq.wl.changed")]
public sealed record WatchlistChanged(WatchlistView View) : IActorQuotesMessage;

/// <summary>Watchlist → its pub-sub topic when it is deleted.</summary>
[SerializationManifest("aq.wl.gone")]
public sealed record WatchlistGone(long WatchlistId) : IActorQuotesMessage;

/// <summary>Snapshot of a watchlist, taken every <c>WatchlistActor.SnapshotEvery</c> events.</summary>
[SerializationManifest("aq.wl.snapshot")]
public sealed record WatchlistSnapshot(
    long WatchlistId,
    long OwnerId,
    string Name,
    ImmutableList<Position> Stocks,
    bool Created,
    bool Deleted,
    long Version) : IActorQuotesMessage
{
    /// <summary>The writes remembered by Idempotency-Key, oldest first (added later; null in old snapshots).</summary>
    public ImmutableList<KeyedWriteResult>? IdempotencyKeys { get; init; }

    /// <summary>Whether its create was abandoned before it happened (added later; false in old snapshots).</summary>
    public bool Abandoned { get; init; }
}

/// <summary>
/// A write remembered by its Idempotency-Key: which request it was and the result it answered, so a retry
/// gets the same status and body. Part of <see cref="WatchlistSnapshot"/>; rebuilt from events on replay.
/// </summary>
public sealed record KeyedWriteResult(
    string Key,
    string Request,
    bool Deleted,
    string Name,
    ImmutableList<Position> Stocks,
    long Version);
