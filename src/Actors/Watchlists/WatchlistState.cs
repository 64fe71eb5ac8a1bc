using System.Collections.Immutable;
using System.Globalization;
using ActorQuotes.Actors.Catalog;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Watchlists;

namespace ActorQuotes.Actors.Watchlists;

/// <summary>
/// What a command decided: events to journal (maybe none), a rejection, or the remembered answer to a
/// retried Idempotency-Key (<see cref="Replay"/>, answered as is with nothing journaled).
/// </summary>
public readonly record struct WatchlistDecision(ImmutableArray<IWatchlistEvent> Events, WatchlistCommandRejected? Rejection, object? Replay = null)
{
    public static WatchlistDecision Accept(params IWatchlistEvent[] events) => new([.. events], null);

    public static WatchlistDecision Reject(long id, WatchlistRejection code, string reason) =>
        new([], new WatchlistCommandRejected(id, code, reason));

    public static WatchlistDecision Replayed(object reply) => new([], null, reply);
}

/// <summary>A watchlist's state: pure decide and apply; the actor only journals and replies.</summary>
public sealed record WatchlistState(
    long WatchlistId,
    long OwnerId,
    string Name,
    ImmutableList<Position> Stocks,
    bool Created,
    bool Deleted,
    long Version)
{
    /// <summary>
    /// How many Idempotency-Keys a watchlist remembers (the newest): a retry must arrive before this many
    /// further keyed writes to the same watchlist. docs/api.md, "Idempotency-Key".
    /// </summary>
    public const int MaxIdempotencyKeys = 50;

    /// <summary>
    /// Tombstone: the owner's link was reconciled away before any create was journaled, so no create ever will
    /// be (<see cref="DecideAbandon"/>). docs/architecture.md, "Creates that never finished".
    /// </summary>
    public bool Abandoned { get; init; }

    /// <summary>The keyed writes remembered, oldest first, at most <see cref="MaxIdempotencyKeys"/>.</summary>
    public ImmutableList<KeyedWriteResult> IdempotencyKeys { get; init; } = ImmutableList<KeyedWriteResult>.Empty;

    public static WatchlistState Empty(long watchlistId) =>
        new(watchlistId, 0, string.Empty, ImmutableList<Position>.Empty, false, false, 0);

    /// <summary>Visible to the requester: created, not deleted, and theirs.</summary>
    public bool IsVisibleTo(long requesterId) => Created && !Deleted && OwnerId == requesterId;

    public WatchlistView ToView() => new(WatchlistId, OwnerId, Name, Stocks, Version);

    public WatchlistSnapshot ToSnapshot() =>
        new(WatchlistId, OwnerId, Name, Stocks, Created, Deleted, Version) { IdempotencyKeys = IdempotencyKeys, Abandoned = Abandoned };

    public static WatchlistState FromSnapshot(WatchlistSnapshot s) =>
        new(s.WatchlistId, s.OwnerId, s.Name, s.Stocks, s.Created, s.Deleted, s.Version)
        {
            IdempotencyKeys = s.IdempotencyKeys ?? ImmutableList<KeyedWriteResult>.Empty, // snapshots from before keys
            Abandoned = s.Abandoned,
        };

    /// <summary>
    /// What a keyed write asked for, in a stable text form: the same key with a different request is refused.
    /// The gateway has already matched the ticker against the catalog, so equal requests read equal.
    /// </summary>
    public static string RequestOf(IWatchlistRequest command) => command switch
    {
        UpsertPosition u => string.Create(CultureInfo.InvariantCulture, $"put-stock {u.TickerSymbol} {u.Quantity:R} {u.PurchasePrice:R}"),
        RemovePosition r => "delete-stock " + r.TickerSymbol,
        RenameWatchlist n => "rename " + n.Name,
        DeleteWatchlist => "delete",
        _ => command.GetType().Name,
    };

    /// <summary>What a read (<see cref="GetWatchlist"/>) answers from this state, with no journal involved.</summary>
    public object Read(GetWatchlist query) =>
        IsVisibleTo(query.RequesterId)
            ? ToView()
            : new WatchlistCommandRejected(WatchlistId, WatchlistRejection.NotFound, "watchlist not found");

    /// <summary>
    /// Decides a command. A keyed write whose key this watchlist remembers is answered with its first result
    /// (or refused if the key came with another request); a new keyed change carries the key in its event.
    /// </summary>
    public WatchlistDecision Decide(IWatchlistRequest command, DateTimeOffset now, CompanyCatalog catalog)
    {
        if (command is not IKeyedWrite { IdempotencyKey: { } key })
        {
            return DecideChange(command, now, catalog);
        }

        if (Remembered(command) is { } remembered)
        {
            return remembered;
        }

        var decision = DecideChange(command, now, catalog);
        if (decision.Events.IsEmpty)
        {
            return decision; // a refusal, or a change that changes nothing: nothing journaled, no key kept
        }

        // The key goes into the same event as the change, so it is durable exactly when the change is.
        var events = decision.Events.SetItem(decision.Events.Length - 1, WithKey(decision.Events[^1], key, RequestOf(command)));
        return decision with { Events = events };
    }

    /// <summary>
    /// The answer to a keyed write whose key this watchlist remembers (its first result, or a refusal when the
    /// key came with another request), or null. Needs no journal, so it is also answered from memory while the
    /// journal is down.
    /// </summary>
    public WatchlistDecision? Remembered(IWatchlistRequest command)
    {
        if (command is not IKeyedWrite { IdempotencyKey: { } key } || !Created || OwnerId != command.RequesterId || FindKey(key) is not { } earlier)
        {
            return null;
        }

        // Checked before visibility: a retried delete finds a deleted watchlist, and answers as the first time.
        return earlier.Request == RequestOf(command)
            ? WatchlistDecision.Replayed(earlier.Deleted
                ? new WatchlistDeletedReply(WatchlistId)
                : new WatchlistView(WatchlistId, OwnerId, earlier.Name, earlier.Stocks, earlier.Version))
            : WatchlistDecision.Reject(WatchlistId, WatchlistRejection.IdempotencyKeyReused,
                "this Idempotency-Key was used for a different request");
    }

    private WatchlistDecision DecideChange(IWatchlistRequest command, DateTimeOffset now, CompanyCatalog catalog)
    {
        if (command is CreateWatchlist create)
        {
            return DecideCreate(create, now);
        }

        if (command is AbandonWatchlist abandon)
        {
            return DecideAbandon(abandon, now);
        }

        if (!IsVisibleTo(command.RequesterId))
        {
            // Someone else's watchlist answers exactly like a missing one.
            return WatchlistDecision.Reject(WatchlistId, WatchlistRejection.NotFound, "watchlist not found");
        }

        switch (command)
        {
            case GetWatchlist:
                return WatchlistDecision.Accept();

            case UpsertPosition upsert:
                var company = catalog.Find(upsert.TickerSymbol);
                var invalid = company is null
                    ? $"ticker_symbol '{upsert.TickerSymbol}' is not in the catalog"
                    : WatchlistLimits.ValidateQuantity(upsert.Quantity) is { } q ? "quantity " + q
                    : WatchlistLimits.ValidatePurchasePrice(upsert.PurchasePrice) is { } p ? "purchase_price " + p
                    : null;
                if (invalid is not null)
                {
                    return WatchlistDecision.Reject(WatchlistId, WatchlistRejection.Invalid, invalid);
                }

                var symbol = company!.TickerSymbol;
                var index = IndexOf(symbol);
                if (index < 0)
                {
                    return Stocks.Count >= WatchlistLimits.MaxStocks
                        ? WatchlistDecision.Reject(WatchlistId, WatchlistRejection.LimitReached,
                            $"a watchlist holds at most {WatchlistLimits.MaxStocks} stocks")
                        : WatchlistDecision.Accept(new StockAdded(symbol, upsert.Quantity, upsert.PurchasePrice, now));
                }

                var existing = Stocks[index];
                return existing.Quantity == upsert.Quantity && existing.PurchasePrice == upsert.PurchasePrice
                    ? WatchlistDecision.Accept() // same position again: nothing to journal
                    : WatchlistDecision.Accept(new PositionChanged(symbol, upsert.Quantity, upsert.PurchasePrice, now));

            case RemovePosition remove:
                var found = catalog.Find(remove.TickerSymbol)?.TickerSymbol ?? remove.TickerSymbol;
                return IndexOf(found) < 0
                    ? WatchlistDecision.Reject(WatchlistId, WatchlistRejection.StockNotFound,
                        $"'{remove.TickerSymbol}' is not in this watchlist")
                    : WatchlistDecision.Accept(new StockRemoved(found, now));

            case RenameWatchlist rename:
                if (WatchlistLimits.ValidateName(rename.Name) is { } nameError)
                {
                    return WatchlistDecision.Reject(WatchlistId, WatchlistRejection.Invalid, "name " + nameError);
                }

                return rename.Name == Name
                    ? WatchlistDecision.Accept()
                    : WatchlistDecision.Accept(new WatchlistRenamed(rename.Name, now));

            case DeleteWatchlist:
                return WatchlistDecision.Accept(new WatchlistDeleted(now));

            default:
                return WatchlistDecision.Reject(WatchlistId, WatchlistRejection.Invalid,
                    $"unknown command {command.GetType().Name}");
        }
    }

    public WatchlistState Apply(IWatchlistEvent e)
    {
        var next = ApplyChange(e);
        if (e.IdempotencyKey is not { } key)
        {
            return next;
        }

        var keys = next.IdempotencyKeys.Add(new KeyedWriteResult(key, e.Request ?? string.Empty, next.Deleted, next.Name, next.Stocks, next.Version));
        return next with
        {
            IdempotencyKeys = keys.Count > MaxIdempotencyKeys ? keys.RemoveRange(0, keys.Count - MaxIdempotencyKeys) : keys,
        };
    }

    private static IWatchlistEvent WithKey(IWatchlistEvent e, string key, string request) => e switch
    {
        WatchlistCreated c => c with { IdempotencyKey = key, Request = request },
        StockAdded a => a with { IdempotencyKey = key, Request = request },
        PositionChanged p => p with { IdempotencyKey = key, Request = request },
        StockRemoved r => r with { IdempotencyKey = key, Request = request },
        WatchlistRenamed n => n with { IdempotencyKey = key, Request = request },
        WatchlistDeleted d => d with { IdempotencyKey = key, Request = request },
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "Unknown watchlist event."),
    };

    private KeyedWriteResult? FindKey(string key)
    {
        foreach (var write in IdempotencyKeys)
        {
            if (string.Equals(write.Key, key, StringComparison.Ordinal))
            {
                return write;
            }
        }

        return null;
    }

    private WatchlistState ApplyChange(IWatchlistEvent e) => e switch
    {
        WatchlistCreated c => this with { OwnerId = c.OwnerId, Name = c.Name, Created = true, Version = Version + 1 },
        StockAdded a => this with
        {
            Stocks = Stocks.Add(new Position(a.TickerSymbol, a.Quantity, a.PurchasePrice)),
            Version = Version + 1,
        },
        PositionChanged p => this with
        {
            Stocks = Stocks.SetItem(IndexOf(p.TickerSymbol), new Position(p.TickerSymbol, p.Quantity, p.PurchasePrice)),
            Version = Version + 1,
        },
        StockRemoved r => this with { Stocks = Stocks.RemoveAt(IndexOf(r.TickerSymbol)), Version = Version + 1 },
        WatchlistRenamed r => this with { Name = r.Name, Version = Version + 1 },
        WatchlistDeleted => this with { Deleted = true, Stocks = ImmutableList<Position>.Empty, Version = Version + 1 },
        WatchlistAbandoned => this with { Abandoned = true },
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "Unknown watchlist event."),
    };

    /// <summary>
    /// An owner's link to this id is being reconciled. The requester's live watchlist keeps its link (its view
    /// is the answer); a deleted one, another owner's, or one already abandoned is dead (nothing to journal);
    /// an id never created gets the tombstone, journaled before the link goes, so a create still in flight
    /// (or retried after a 504) can never make a watchlist that no account lists.
    /// </summary>
    public WatchlistDecision DecideAbandon(AbandonWatchlist abandon, DateTimeOffset now) =>
        IsVisibleTo(abandon.RequesterId) ? WatchlistDecision.Replayed(ToView())
        : Created || Abandoned ? WatchlistDecision.Replayed(new WatchlistAbandonedReply(WatchlistId))
        : WatchlistDecision.Accept(new WatchlistAbandoned(now));

    private WatchlistDecision DecideCreate(CreateWatchlist create, DateTimeOffset now)
    {
        if (Abandoned)
        {
            return WatchlistDecision.Reject(WatchlistId, WatchlistRejection.Abandoned,
                "this create was abandoned after its owner's limit check found it unfinished; nothing was created; retry");
        }

        if (Created)
        {
            // A retried create by the same owner is answered with what exists; anything else is a clash.
            return IsVisibleTo(create.RequesterId) && Name == create.Name
                ? WatchlistDecision.Accept()
                : WatchlistDecision.Reject(WatchlistId, WatchlistRejection.AlreadyExists, "watchlist id already used");
        }

        return WatchlistLimits.ValidateName(create.Name) is { } error
            ? WatchlistDecision.Reject(WatchlistId, WatchlistRejection.Invalid, "name " + error)
            : WatchlistDecision.Accept(new WatchlistCreated(WatchlistId, create.RequesterId, create.Name, now));
    }

    private int IndexOf(string symbol)
    {
        for (var i = 0; i < Stocks.Count; i++)
        {
            if (string.Equals(Stocks[i].TickerSymbol, symbol, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
