using ActorQuotes.Actors.Admin;
using ActorQuotes.Actors.Sessions;
using ActorQuotes.Actors.Watchlists;
using ActorQuotes.Contracts.Feeds;
using ActorQuotes.Contracts.Routing;
using ActorQuotes.Contracts.Tickers;
using ActorQuotes.Contracts.Watchlists;
using ActorQuotes.Gateway.Endpoints;
using ActorQuotes.Gateway.Problems;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActorQuotes.Gateway.Admin;

/// <summary>
/// <c>aq actor|ticker|feed|sessions|watchlist …</c>: questions about this node's actors, its sockets,
/// and entities wherever they live (asked through the shard regions).
/// </summary>
public static class NodeAdmin
{
    public const int MaxDepth = 10;
    public const int LastEvents = 10;
    private static readonly TimeSpan LocalTimeout = TimeSpan.FromSeconds(2);

    public static async Task<Results<Ok<ActorTreeView>, ProblemHttpResult>> Hierarchy(
        AdminContext admin, CancellationToken cancellationToken, string? path = null, int? depth = null)
    {
        var root = string.IsNullOrWhiteSpace(path) ? "/user" : path.Trim();
        var levels = depth ?? 3;
        if (!root.StartsWith('/') || levels is < 0 or > MaxDepth)
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, ApiProblems.BadRequest, "Bad hierarchy query.",
                $"path starts with '/' (/user, /system/sharding/watchlist); depth is 0 to {MaxDepth}");
        }

        var walker = admin.System.ActorOf(HierarchyWalker.Props(root, levels, TimeSpan.FromSeconds(10)));
        var tree = await walker.Ask<ActorTree>(WalkTree.Instance, TimeSpan.FromSeconds(15), cancellationToken);
        if (!tree.RootExists)
        {
            return ApiProblems.Create(StatusCodes.Status404NotFound, "actor_not_found", $"No actor at '{root}' on this node.");
        }

        return TypedResults.Ok(new ActorTreeView(admin.NodeAddress, tree.Root, levels,
            tree.Paths.Select(p => new ActorRow(p, p.Length <= tree.Root.Length ? 0 : p[tree.Root.Length..].Count(c => c == '/'))).ToArray(),
            tree.Truncated));
    }

    public static async Task<Results<Ok<TickerView>, ProblemHttpResult>> Ticker(string symbol, AdminContext admin, CancellationToken cancellationToken)
    {
        var reply = await admin.Regions.Tickers.Ask<object>(new GetTickerStats(symbol), admin.Regions.AskTimeout, cancellationToken);
        if (reply is not TickerStats stats)
        {
            return ApiProblems.Create(StatusCodes.Status404NotFound, "unknown_symbol", $"'{symbol}' is not in the catalog.");
        }

        var sessions = await SessionInfos(admin, cancellationToken);
        var subscribers = sessions.Count(s => s.Info.Symbols.Contains(stats.Symbol, StringComparer.Ordinal));
        var location = await ShardingAdmin.LocateEntity(admin.System, admin.Regions.Tickers, ShardRegions.Ticker, stats.Symbol.ToUpperInvariant(), cancellationToken);
        return TypedResults.Ok(TickerView.Of(stats, subscribers, location.Node, location.ShardId));
    }

    /// <summary>
    /// <c>POST /tickers/{symbol}/reset</c> (<c>aq ticker reset</c>): the way out for a symbol frozen by a bad
    /// tick. The ticker drops the day and its last tick's time, goes back to the previous close and publishes
    /// that with the next sequence number; the answer is the ticker as <c>ticker show</c> gives it.
    /// </summary>
    public static async Task<Results<Ok<TickerView>, ProblemHttpResult>> ResetTicker(string symbol, AdminContext admin, CancellationToken cancellationToken)
    {
        if (admin.Catalog.Find(symbol) is not { } company)
        {
            return ApiProblems.Create(StatusCodes.Status404NotFound, "unknown_symbol", $"'{symbol}' is not in the catalog.");
        }

        var reply = await admin.Regions.Tickers.Ask<object>(new Contracts.Tickers.ResetTicker(company.TickerSymbol), admin.Regions.AskTimeout, cancellationToken);
        if (reply is not Quote)
        {
            return ApiProblems.Create(StatusCodes.Status404NotFound, "unknown_symbol", $"'{symbol}' is not in the catalog.");
        }

        return await Ticker(company.TickerSymbol, admin, cancellationToken);
    }

    /// <summary>Every catalog symbol's counters (the tickers answer from wherever they run).</summary>
    public static async Task<Ok<TickerStatsView>> TickerStats(AdminContext admin, CancellationToken cancellationToken)
    {
        var asks = admin.Catalog.All.Select(async company =>
        {
            try
            {
                return await admin.Regions.Tickers.Ask<object>(new GetTickerStats(company.TickerSymbol), admin.Regions.AskTimeout, cancellationToken);
            }
            catch (AskTimeoutException)
            {
                return null;
            }
        });
        var replies = await Task.WhenAll(asks);
        var rows = replies.OfType<TickerStats>()
            .Select(s => new TickerRow(s.Symbol, s.Quote.Price, s.Quote.ChangePercent, s.Quote.Sequence, s.Accepted, s.Rejected.Values.Sum()))
            .OrderBy(r => r.Symbol, StringComparer.Ordinal)
            .ToArray();
        return TypedResults.Ok(new TickerStatsView(rows, rows.Sum(r => r.Accepted), rows.Sum(r => r.Rejected), replies.Length - rows.Length));
    }

    public static async Task<Ok<FeedsView>> Feeds(AdminContext admin, CancellationToken cancellationToken)
    {
        var rows = new List<FeedRow>();
        foreach (var name in FeedAddresses.Paths.Keys)
        {
            rows.Add(await FeedRow(admin, name, null, cancellationToken));
        }

        return TypedResults.Ok(new FeedsView(rows));
    }

    /// <summary><c>POST /feeds/pause?feed=</c> or <c>/feeds/resume?feed=</c>: one feed, or every running one.</summary>
    public static async Task<Results<Ok<FeedsView>, ProblemHttpResult>> SteerFeeds(string action, AdminContext admin, CancellationToken cancellationToken, string? feed = null)
    {
        object? message = action switch { "pause" => PauseFeed.Instance, "resume" => ResumeFeed.Instance, _ => null };
        if (message is null)
        {
            return ApiProblems.Create(StatusCodes.Status404NotFound, "unknown_action", $"No feed action '{action}'.", "pause or resume");
        }

        if (feed is not null && !FeedAddresses.Paths.ContainsKey(feed))
        {
            return ApiProblems.Create(StatusCodes.Status404NotFound, "unknown_feed", $"No feed '{feed}'.",
                "feeds: " + string.Join(", ", FeedAddresses.Paths.Keys));
        }

        var rows = new List<FeedRow>();
        foreach (var name in feed is null ? FeedAddresses.Paths.Keys : [feed])
        {
            var row = await FeedRow(admin, name, message, cancellationToken);
            if (feed is not null && !row.Running)
            {
                return ApiProblems.Create(StatusCodes.Status409Conflict, "feed_not_running", $"The {name} feed is not running on any quotes node of the cluster.");
            }

            rows.Add(row);
        }

        return TypedResults.Ok(new FeedsView(rows));
    }

    public static async Task<Ok<SessionsView>> ListSessions(AdminContext admin, CancellationToken cancellationToken)
    {
        var now = admin.Clock.GetUtcNow();
        var rows = (await SessionInfos(admin, cancellationToken))
            .Select(s => new SessionRow(s.Session.Id, s.Session.Stream, s.Info.UserId, s.Info.Username, s.Info.WatchlistId,
                s.Info.Symbols.Order(StringComparer.Ordinal).ToArray(), s.Info.FramesSent, s.Info.Conflated, s.Info.OpenedAt,
                Math.Round((now - s.Info.OpenedAt).TotalSeconds, 1)))
            .OrderBy(r => r.Id.Length).ThenBy(r => r.Id, StringComparer.Ordinal)
            .ToArray();
        return TypedResults.Ok(new SessionsView(admin.NodeAddress, admin.Sockets.Total, rows));
    }

    public static Results<Ok<KickResult>, ProblemHttpResult> Kick(string id, AdminContext admin)
    {
        if (admin.Sessions.Find(id) is not { } session)
        {
            return ApiProblems.Create(StatusCodes.Status404NotFound, "session_not_found", $"No session '{id}' on this node.",
                "aq sessions list shows the sessions of the node you are connected to");
        }

        session.Session.Tell(new KickSession("closed by an operator"));
        return TypedResults.Ok(new KickResult(id, Contracts.Sessions.CloseCodes.PolicyViolation));
    }

    /// <summary>A watchlist's state and last events, read from the journal, and where its entity lives.</summary>
    public static async Task<Results<Ok<WatchlistAdminView>, ProblemHttpResult>> Watchlist(long id, AdminContext admin, CancellationToken cancellationToken)
    {
        var system = admin.System;
        IReadOnlyList<(long SequenceNr, IWatchlistEvent Event)> events;
        try
        {
            var journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
            events = await journal
                .CurrentEventsByPersistenceId(WatchlistActor.PersistenceIdFor(id), 0, long.MaxValue)
                .Where(envelope => envelope.Event is IWatchlistEvent)
                .Select(envelope => (envelope.SequenceNr, (IWatchlistEvent)envelope.Event))
                .RunWith(Sink.Seq<(long, IWatchlistEvent)>(), system.Materializer())
                .WaitAsync(admin.Regions.AskTimeout, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new ServiceUnavailableException("the journal could not be read; try again");
        }

        if (events.Count == 0)
        {
            return ApiProblems.Create(StatusCodes.Status404NotFound, "watchlist_not_found", $"Watchlist {id} has no journaled events.");
        }

        var state = events.Aggregate(WatchlistState.Empty(id), (s, e) => s.Apply(e.Event));
        var location = await ShardingAdmin.LocateEntity(admin.System, admin.Regions.Watchlists, ShardRegions.Watchlist,
            id.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
        return TypedResults.Ok(new WatchlistAdminView(id, state.OwnerId, state.Name, state.Deleted, state.Version,
            state.Stocks.Select(p => new PositionRow(p.TickerSymbol, p.Quantity, p.PurchasePrice)).ToArray(),
            events.Count, events.TakeLast(LastEvents).Select(e => HistoryEntry.From(e.SequenceNr, e.Event)).ToArray(), location));
    }

    private static async Task<FeedRow> FeedRow(AdminContext admin, string name, object? command, CancellationToken cancellationToken)
    {
        if (await FeedAddresses.Find(admin.System, name, LocalTimeout) is not { } feed)
        {
            return new FeedRow(name, false, false, 0);
        }

        try
        {
            var status = await feed.Ask<FeedStatus>(command ?? GetFeedStatus.Instance, LocalTimeout, cancellationToken);
            return new FeedRow(name, true, status.Paused, status.TicksSent);
        }
        catch (AskTimeoutException)
        {
            return new FeedRow(name, false, false, 0); // it stopped (a replay that finished) while we asked
        }
    }

    private static async Task<IReadOnlyList<(LiveSessionEntry Session, SessionInfo Info)>> SessionInfos(AdminContext admin, CancellationToken cancellationToken)
    {
        var asks = admin.Sessions.All.Select(async s =>
        {
            SessionInfo? info;
            try
            {
                info = await s.Session.Ask<SessionInfo>(GetSessionInfo.Instance, LocalTimeout, cancellationToken);
            }
            catch (AskTimeoutException)
            {
                info = null; // closing
            }

            return (Session: new LiveSessionEntry(s.Id, s.Stream), Info: info);
        });
        return (await Task.WhenAll(asks)).Where(r => r.Item2 is not null).Select(r => (r.Item1, r.Item2!)).ToArray();
    }

    private sealed record LiveSessionEntry(string Id, string Stream);
}
