using ActorQuotes.Contracts.Tickers;
using ActorQuotes.Gateway.Endpoints;

namespace ActorQuotes.Gateway.Admin;

// What NodeAdmin's questions answer, as the admin API's JSON (snake_case) and the CLI's tables read it.

public sealed record ActorTreeView(string Node, string Root, int Depth, IReadOnlyList<ActorRow> Actors, bool Truncated);

/// <summary>An actor's path and its level below the root (1 = a child of the root).</summary>
public sealed record ActorRow(string Path, int Level);

public sealed record TickerView(
    string Symbol,
    double Price,
    double PreviousClose,
    double Change,
    double ChangePercent,
    long Sequence,
    DateTimeOffset Timestamp,
    double Open,
    double DayHigh,
    double DayLow,
    long Volume,
    long Accepted,
    IReadOnlyDictionary<string, long> Rejected,
    int SubscribersOnThisNode,
    string Node,
    string ShardId,
    LastRejectedView? LastRejected)
{
    public static TickerView Of(TickerStats s, int subscribers, string node, string shardId) => new(
        s.Symbol, s.Quote.Price, s.Quote.PreviousClose, s.Quote.Change, s.Quote.ChangePercent, s.Quote.Sequence, s.Quote.Timestamp,
        s.Quote.Open, s.Quote.DayHigh, s.Quote.DayLow, s.Quote.Volume, s.Accepted,
        Enum.GetValues<TickRejection>().ToDictionary(r => r.ToCode(), r => s.Rejected.GetValueOrDefault(r)),
        subscribers, node, shardId,
        s.LastRejected is { } r
            ? new LastRejectedView(r.Reason.ToCode(), r.Price, r.Timestamp, r.RejectedAt)
            : null);
}

/// <summary>The last refused tick: why, its price and timestamp as sent, and when it was refused.</summary>
public sealed record LastRejectedView(string Reason, double Price, DateTimeOffset Timestamp, DateTimeOffset RejectedAt);

public sealed record TickerStatsView(IReadOnlyList<TickerRow> Tickers, long Accepted, long Rejected, int Unanswered);

public sealed record TickerRow(string Symbol, double Price, double ChangePercent, long Sequence, long Accepted, long Rejected);

public sealed record FeedsView(IReadOnlyList<FeedRow> Feeds);

public sealed record FeedRow(string Feed, bool Running, bool Paused, long TicksSent);

public sealed record SessionsView(string Node, int SocketsOpen, IReadOnlyList<SessionRow> Sessions);

public sealed record SessionRow(string Id, string Stream, long UserId, string Username, long? WatchlistId, IReadOnlyList<string> Symbols,
    long FramesSent, long Conflated, DateTimeOffset OpenedAt, double AgeSeconds);

public sealed record KickResult(string Id, int CloseCode);

public sealed record WatchlistAdminView(long WatchlistId, long OwnerId, string Name, bool Deleted, long Version,
    IReadOnlyList<PositionRow> Stocks, int EventCount, IReadOnlyList<HistoryEntry> LastEvents, EntityLocationView Location);

public sealed record PositionRow(string TickerSymbol, double Quantity, double PurchasePrice);
