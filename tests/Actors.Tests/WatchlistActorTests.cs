using ActorQuotes.Actors.Watchlists;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Watchlists;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;

namespace ActorQuotes.Actors.Tests;

public sealed class WatchlistActorTests(ITestOutputHelper output) : ActorQuotesTestKit(output)
{
    private const long Owner = 7;
    private const long Stranger = 8;
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero));

    private IActorRef Start(long id, IActorRef? mediator = null) =>
        Sys.ActorOf(WatchlistActor.Props(id, Catalog, mediator ?? CreateTestProbe().Ref, _clock));

    [Fact(DisplayName = "Create, add, change and remove reply with the new view after journaling")]
    public async Task Commands_reply_views()
    {
        var watchlist = Start(1);

        watchlist.Tell(new CreateWatchlist(1, Owner, "Core"));
        var created = await ExpectMsgAsync<WatchlistView>();
        watchlist.Tell(new UpsertPosition(1, Owner, "7203", 100, 2500));
        var added = await ExpectMsgAsync<WatchlistView>();
        watchlist.Tell(new UpsertPosition(1, Owner, "7203", 150, 2400));
        var changed = await ExpectMsgAsync<WatchlistView>();
        watchlist.Tell(new UpsertPosition(1, Owner, "aapl", 1, 200));
        var lowerCase = await ExpectMsgAsync<WatchlistView>();
        watchlist.Tell(new RemovePosition(1, Owner, "7203"));
        var removed = await ExpectMsgAsync<WatchlistView>();

        Assert.Equal(("Core", Owner, 0), (created.Name, created.OwnerId, created.Stocks.Count));
        Assert.Equal(new Position("7203", 100, 2500), Assert.Single(added.Stocks));
        Assert.Equal(new Position("7203", 150, 2400), Assert.Single(changed.Stocks));
        Assert.Equal(new Position("AAPL", 1, 200), lowerCase.Stocks[1]);
        Assert.Equal(new Position("AAPL", 1, 200), Assert.Single(removed.Stocks));
        Assert.Equal(5, removed.Version);
    }

    [Fact(DisplayName = "Bad commands are rejected with a typed reply and change nothing")]
    public async Task Rejections()
    {
        var watchlist = Start(2);
        watchlist.Tell(new GetWatchlist(2, Owner));
        Assert.Equal(WatchlistRejection.NotFound, (await ExpectMsgAsync<WatchlistCommandRejected>()).Code);

        watchlist.Tell(new CreateWatchlist(2, Owner, ""));
        Assert.Equal(WatchlistRejection.Invalid, (await ExpectMsgAsync<WatchlistCommandRejected>()).Code);
        watchlist.Tell(new CreateWatchlist(2, Owner, new string('x', 101)));
        Assert.Equal(WatchlistRejection.Invalid, (await ExpectMsgAsync<WatchlistCommandRejected>()).Code);

        watchlist.Tell(new CreateWatchlist(2, Owner, "Mine"));
        await ExpectMsgAsync<WatchlistView>();

        var cases = new (IWatchlistRequest Command, WatchlistRejection Code)[]
        {
            (new CreateWatchlist(2, Stranger, "Theirs"), WatchlistRejection.AlreadyExists),
            (new GetWatchlist(2, Stranger), WatchlistRejection.NotFound),
            (new UpsertPosition(2, Stranger, "7203", 1, 1), WatchlistRejection.NotFound),
            (new DeleteWatchlist(2, Stranger), WatchlistRejection.NotFound),
            (new UpsertPosition(2, Owner, "XXXX", 1, 1), WatchlistRejection.Invalid),
            (new UpsertPosition(2, Owner, "7203", 0, 1), WatchlistRejection.Invalid),
            (new UpsertPosition(2, Owner, "7203", double.NaN, 1), WatchlistRejection.Invalid),
            (new UpsertPosition(2, Owner, "7203", 1e9 + 1, 1), WatchlistRejection.Invalid),
            (new UpsertPosition(2, Owner, "7203", 1, -1), WatchlistRejection.Invalid),
            (new UpsertPosition(2, Owner, "7203", 1, double.PositiveInfinity), WatchlistRejection.Invalid),
            (new RemovePosition(2, Owner, "7203"), WatchlistRejection.StockNotFound),
        };
        foreach (var (command, code) in cases)
        {
            watchlist.Tell(command);
            var rejected = await ExpectMsgAsync<WatchlistCommandRejected>();
            Assert.Equal(code, rejected.Code);
        }

        watchlist.Tell(new GetWatchlist(2, Owner));
        var view = await ExpectMsgAsync<WatchlistView>();
        Assert.Equal(("Mine", Owner, 0, 1L), (view.Name, view.OwnerId, view.Stocks.Count, view.Version));
    }

    [Fact(DisplayName = "A stopped watchlist recovers its positions from the SQLite journal")]
    public async Task Recovers_from_journal()
    {
        var first = Start(3);
        first.Tell(new CreateWatchlist(3, Owner, "Durable"));
        await ExpectMsgAsync<WatchlistView>();
        first.Tell(new UpsertPosition(3, Owner, "7203", 100, 2500));
        await ExpectMsgAsync<WatchlistView>();
        first.Tell(new UpsertPosition(3, Owner, "MSFT", 3, 410.25));
        await ExpectMsgAsync<WatchlistView>();
        first.Tell(new RemovePosition(3, Owner, "7203"));
        await ExpectMsgAsync<WatchlistView>();
        Watch(first);
        first.Tell(StopEntity.Instance);
        await ExpectTerminatedAsync(first);

        var second = Start(3);
        second.Tell(new GetWatchlist(3, Owner));
        var recovered = await ExpectMsgAsync<WatchlistView>();

        Assert.Equal("Durable", recovered.Name);
        Assert.Equal(new Position("MSFT", 3, 410.25), Assert.Single(recovered.Stocks));
        Assert.Equal(4, recovered.Version);
    }

    [Fact(DisplayName = "A deleted watchlist stays deleted after recovery and answers not found")]
    public async Task Deleted_stays_deleted()
    {
        var first = Start(4);
        first.Tell(new CreateWatchlist(4, Owner, "Short-lived"));
        await ExpectMsgAsync<WatchlistView>();
        first.Tell(new DeleteWatchlist(4, Owner));
        Assert.Equal(4, (await ExpectMsgAsync<WatchlistDeletedReply>()).WatchlistId);
        Watch(first);
        first.Tell(StopEntity.Instance);
        await ExpectTerminatedAsync(first);

        var second = Start(4);
        second.Tell(new GetWatchlist(4, Owner));
        Assert.Equal(WatchlistRejection.NotFound, (await ExpectMsgAsync<WatchlistCommandRejected>()).Code);
        second.Tell(new CreateWatchlist(4, Owner, "Short-lived"));
        Assert.Equal(WatchlistRejection.AlreadyExists, (await ExpectMsgAsync<WatchlistCommandRejected>()).Code);
    }

    [Fact(DisplayName = "Putting the same position again journals nothing and changes no version")]
    public async Task Idempotent_upsert()
    {
        var watchlist = Start(5);
        watchlist.Tell(new CreateWatchlist(5, Owner, "Same"));
        await ExpectMsgAsync<WatchlistView>();
        watchlist.Tell(new UpsertPosition(5, Owner, "7203", 100, 2500));
        var once = await ExpectMsgAsync<WatchlistView>();
        watchlist.Tell(new UpsertPosition(5, Owner, "7203", 100, 2500));
        var twice = await ExpectMsgAsync<WatchlistView>();

        Assert.Equal(once.Version, twice.Version);
        Assert.Single(twice.Stocks);
    }

    [Fact(DisplayName = "Every journaled change is published on the watchlist's topic")]
    public async Task Publishes_changes()
    {
        var mediator = CreateTestProbe();
        var watchlist = Start(6, mediator.Ref);

        watchlist.Tell(new CreateWatchlist(6, Owner, "Loud"));
        await ExpectMsgAsync<WatchlistView>();
        var publish = await mediator.ExpectMsgAsync<Publish>();
        watchlist.Tell(new DeleteWatchlist(6, Owner));
        await ExpectMsgAsync<WatchlistDeletedReply>();
        var gone = await mediator.ExpectMsgAsync<Publish>();

        Assert.Equal(Topics.Watchlist(6), publish.Topic);
        Assert.Equal("Loud", Assert.IsType<WatchlistChanged>(publish.Message).View.Name);
        Assert.Equal(new WatchlistGone(6), gone.Message);
    }

    [Fact(DisplayName = "A watchlist holds at most 200 stocks")]
    public async Task Stock_limit()
    {
        var many = new Actors.Catalog.CompanyCatalog(Enumerable.Range(1, 201)
            .Select(i => new Actors.Catalog.Company(i, "S" + i, "Company " + i, "NYSE", "USD", 10)));
        var watchlist = Sys.ActorOf(WatchlistActor.Props(9, many, CreateTestProbe().Ref, _clock));
        watchlist.Tell(new CreateWatchlist(9, Owner, "Full"));
        await ExpectMsgAsync<WatchlistView>();
        for (var i = 1; i <= 200; i++)
        {
            watchlist.Tell(new UpsertPosition(9, Owner, "S" + i, 1, 1));
        }

        await foreach (var _ in ReceiveNAsync(200, TimeSpan.FromSeconds(60)))
        {
        }
        watchlist.Tell(new UpsertPosition(9, Owner, "S201", 1, 1));

        Assert.Equal(WatchlistRejection.LimitReached, (await ExpectMsgAsync<WatchlistCommandRejected>()).Code);
    }

    [Fact(DisplayName = "A long history is snapshotted every 100 events and recovers to the same state")]
    public async Task Snapshots_every_100_events()
    {
        var first = Start(11);
        first.Tell(new CreateWatchlist(11, Owner, "Busy"));
        await ExpectMsgAsync<WatchlistView>();
        for (var i = 1; i <= 204; i++)
        {
            first.Tell(new UpsertPosition(11, Owner, "7203", i, 2500));
        }

        WatchlistView? last = null;
        await foreach (var reply in ReceiveNAsync(204, TimeSpan.FromSeconds(60)))
        {
            last = Assert.IsType<WatchlistView>(reply);
        }

        Watch(first);
        first.Tell(StopEntity.Instance);
        await ExpectTerminatedAsync(first);

        var second = Start(11);
        second.Tell(new GetWatchlist(11, Owner));
        var recovered = await ExpectMsgAsync<WatchlistView>();

        Assert.Equal(205, last!.Version);
        Assert.Equal(last.Version, recovered.Version);
        Assert.Equal(new Position("7203", 204, 2500), Assert.Single(recovered.Stocks));
        var snapshots = await SnapshotSequenceNumbers(WatchlistActor.PersistenceIdFor(11));
        // Taken at 100 and 200 (the older one is deleted in the background once the newer one is saved).
        Assert.Equal(200, snapshots.Max());
        Assert.All(snapshots, n => Assert.Equal(0, n % WatchlistActor.SnapshotEvery));
    }

    private async Task<long[]> SnapshotSequenceNumbers(string persistenceId)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(
            Gateway.Hosting.AkkaSetup.ConnectionString(new Gateway.Hosting.StorageOptions { DataDirectory = DataDirectory }));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence_number FROM snapshot WHERE persistence_id = $id ORDER BY sequence_number";
        command.Parameters.AddWithValue("$id", persistenceId);
        var result = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            result.Add(reader.GetInt64(0));
        }

        return result.ToArray();
    }

    [Fact(DisplayName = "A create that arrives after its id was abandoned is refused, also once the watchlist has recovered from the journal")]
    public async Task Late_create_after_abandon()
    {
        var first = Start(40);
        first.Tell(new AbandonWatchlist(40, Owner));
        Assert.Equal(new WatchlistAbandonedReply(40), await ExpectMsgAsync<WatchlistAbandonedReply>());
        first.Tell(new CreateWatchlist(40, Owner, "Late"));
        Assert.Equal(WatchlistRejection.Abandoned, (await ExpectMsgAsync<WatchlistCommandRejected>()).Code);
        Watch(first);
        first.Tell(StopEntity.Instance);
        await ExpectTerminatedAsync(first);

        var second = Start(40);
        second.Tell(new CreateWatchlist(40, Owner, "Late"));
        Assert.Equal(WatchlistRejection.Abandoned, (await ExpectMsgAsync<WatchlistCommandRejected>()).Code);
        second.Tell(new AbandonWatchlist(40, Owner));
        Assert.Equal(new WatchlistAbandonedReply(40), await ExpectMsgAsync<WatchlistAbandonedReply>());
    }
}
