using System.Collections.Immutable;
using ActorQuotes.Actors.Catalog;
using ActorQuotes.Contracts.Watchlists;

namespace ActorQuotes.Actors.Watchlists;

/// <summary>What a command decided: events to journal (maybe none), or a rejection.</summary>
public readonly record struct WatchlistDecision(ImmutableArray<IWatchlistEvent> Events, WatchlistCommandRejected? Rejection)
{
    public static WatchlistDecision Accept(params IWatchlistEvent[] events) => new([.. events], null);

    public static WatchlistDecision Reject(long id, WatchlistRejection code, string reason) =>
        new([], new WatchlistCommandRejected(id, code, reason));
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
    public static WatchlistState Empty(long watchlistId) =>
        new(watchlistId, 0, string.Empty, ImmutableList<Position>.Empty, false, false, 0);

    /// <summary>Visible to the requester: created, not deleted, and theirs.</summary>
    public bool IsVisibleTo(long requesterId) => Created && !Deleted && OwnerId == requesterId;

    public WatchlistView ToView() => new(WatchlistId, OwnerId, Name, Stocks, Version);

    public WatchlistSnapshot ToSnapshot() => new(WatchlistId, OwnerId, Name, Stocks, Created, Deleted, Version);

    public static WatchlistState FromSnapshot(WatchlistSnapshot s) =>
        new(s.WatchlistId, s.OwnerId, s.Name, s.Stocks, s.Created, s.Deleted, s.Version);

    /// <summary>What a read (<see cref="GetWatchlist"/>) answers from this state, with no journal involved.</summary>
    public object Read(GetWatchlist query) =>
        IsVisibleTo(query.RequesterId)
            ? ToView()
            : new WatchlistCommandRejected(WatchlistId, WatchlistRejection.NotFound, "watchlist not found");

    public WatchlistDecision Decide(IWatchlistRequest command, DateTimeOffset now, CompanyCatalog catalog)
    {
        if (command is CreateWatchlist create)
        {
            return DecideCreate(create, now);
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

    public WatchlistState Apply(IWatchlistEvent e) => e switch
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
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "Unknown watchlist event."),
    };

    private WatchlistDecision DecideCreate(CreateWatchlist create, DateTimeOffset now)
    {
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
