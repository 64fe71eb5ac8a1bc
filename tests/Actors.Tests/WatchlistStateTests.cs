using System.Collections.Immutable;
using ActorQuotes.Actors.Catalog;
using ActorQuotes.Actors.Watchlists;
using ActorQuotes.Contracts.Watchlists;

namespace ActorQuotes.Actors.Tests;

/// <summary>The watchlist's Idempotency-Key decisions, as pure functions: no actor system, no journal.</summary>
public sealed class WatchlistStateTests
{
    private const long Id = 3;
    private const long Owner = 7;
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);
    private static readonly CompanyCatalog Catalog = CompanyCatalog.LoadEmbedded();

    private static WatchlistState Created() =>
        WatchlistState.Empty(Id).Apply(new WatchlistCreated(Id, Owner, "Core", T0));

    /// <summary>Decides and applies, as the actor does once the events are journaled.</summary>
    private static (WatchlistState State, WatchlistDecision Decision) Run(WatchlistState state, IWatchlistRequest command)
    {
        var decision = state.Decide(command, T0, Catalog);
        return (decision.Events.Aggregate(state, (s, e) => s.Apply(e)), decision);
    }

    [Fact(DisplayName = "A keyed write carries its key and request in the same event as the change")]
    public void Key_goes_into_the_event()
    {
        var decision = Created().Decide(new UpsertPosition(Id, Owner, "7203", 100, 2500) { IdempotencyKey = "k1" }, T0, Catalog);

        var added = Assert.IsType<StockAdded>(Assert.Single(decision.Events));
        Assert.Equal("k1", added.IdempotencyKey);
        Assert.Equal("put-stock 7203 100 2500", added.Request);
        Assert.Null(decision.Replay);
    }

    [Fact(DisplayName = "A retried key answers the first result, even after later changes, and journals nothing")]
    public void Retry_replays_the_first_result()
    {
        var put = new UpsertPosition(Id, Owner, "7203", 100, 2500) { IdempotencyKey = "k1" };
        var (afterFirst, _) = Run(Created(), put);
        var firstView = afterFirst.ToView();
        var (later, _) = Run(afterFirst, new UpsertPosition(Id, Owner, "AAPL", 1, 200) { IdempotencyKey = "k2" });

        var retry = later.Decide(put, T0.AddMinutes(1), Catalog);

        Assert.Empty(retry.Events);
        Assert.Null(retry.Rejection);
        var view = Assert.IsType<WatchlistView>(retry.Replay);
        Assert.Equal((firstView.Name, firstView.Version), (view.Name, view.Version));
        Assert.Equal(firstView.Stocks, view.Stocks);
        Assert.Equal(2, later.Stocks.Count);
    }

    [Fact(DisplayName = "The same key with a different request is refused as IdempotencyKeyReused and changes nothing")]
    public void Same_key_other_request()
    {
        var (state, _) = Run(Created(), new UpsertPosition(Id, Owner, "7203", 100, 2500) { IdempotencyKey = "k1" });

        var other = state.Decide(new UpsertPosition(Id, Owner, "7203", 101, 2500) { IdempotencyKey = "k1" }, T0, Catalog);
        var otherKind = state.Decide(new RenameWatchlist(Id, Owner, "Japan") { IdempotencyKey = "k1" }, T0, Catalog);

        Assert.Equal(WatchlistRejection.IdempotencyKeyReused, other.Rejection?.Code);
        Assert.Equal(WatchlistRejection.IdempotencyKeyReused, otherKind.Rejection?.Code);
        Assert.Empty(other.Events);
        Assert.Empty(otherKind.Events);
    }

    [Fact(DisplayName = "A retried delete answers deleted again although the watchlist is gone; a new key on it is not found")]
    public void Retried_delete()
    {
        var delete = new DeleteWatchlist(Id, Owner) { IdempotencyKey = "d1" };
        var (deleted, first) = Run(Created(), delete);
        Assert.Equal("d1", Assert.IsType<WatchlistDeleted>(Assert.Single(first.Events)).IdempotencyKey);

        Assert.Equal(new WatchlistDeletedReply(Id), deleted.Decide(delete, T0, Catalog).Replay);
        Assert.Equal(WatchlistRejection.NotFound, deleted.Decide(delete with { IdempotencyKey = "d2" }, T0, Catalog).Rejection?.Code);
    }

    [Fact(DisplayName = "Another user sending a remembered key gets not found, as for any watchlist not theirs")]
    public void Stranger_with_a_known_key()
    {
        var (state, _) = Run(Created(), new UpsertPosition(Id, Owner, "7203", 1, 1) { IdempotencyKey = "k1" });

        var stranger = state.Decide(new UpsertPosition(Id, Owner + 1, "7203", 1, 1) { IdempotencyKey = "k1" }, T0, Catalog);

        Assert.Equal(WatchlistRejection.NotFound, stranger.Rejection?.Code);
        Assert.Null(stranger.Replay);
    }

    [Fact(DisplayName = "A refusal or a write that changes nothing keeps no key: its retry is decided afresh")]
    public void No_change_no_key()
    {
        var (state, _) = Run(Created(), new UpsertPosition(Id, Owner, "7203", 100, 2500));

        var (same, noOp) = Run(state, new UpsertPosition(Id, Owner, "7203", 100, 2500) { IdempotencyKey = "k1" });
        var (_, refused) = Run(state, new RemovePosition(Id, Owner, "AAPL") { IdempotencyKey = "k2" });

        Assert.Empty(noOp.Events);
        Assert.Null(noOp.Replay);
        Assert.Equal(WatchlistRejection.StockNotFound, refused.Rejection?.Code);
        Assert.Empty(same.IdempotencyKeys);
        Assert.Single(same.Decide(new UpsertPosition(Id, Owner, "7203", 5, 2500) { IdempotencyKey = "k1" }, T0, Catalog).Events);
    }

    [Fact(DisplayName = "Only the newest 50 keys are remembered: the oldest is then decided afresh, the 50 newest replay")]
    public void Key_bound()
    {
        var state = Created();
        for (var i = 0; i <= WatchlistState.MaxIdempotencyKeys; i++)
        {
            (state, _) = Run(state, new RenameWatchlist(Id, Owner, "Name " + i) { IdempotencyKey = "k" + i });
        }

        Assert.Equal(WatchlistState.MaxIdempotencyKeys, state.IdempotencyKeys.Count);
        Assert.Equal(["k1", "k50"], new[] { state.IdempotencyKeys[0].Key, state.IdempotencyKeys[^1].Key });

        var oldest = state.Decide(new RenameWatchlist(Id, Owner, "Name 0") { IdempotencyKey = "k0" }, T0, Catalog);
        var kept = state.Decide(new RenameWatchlist(Id, Owner, "Name 1") { IdempotencyKey = "k1" }, T0, Catalog);

        Assert.IsType<WatchlistRenamed>(Assert.Single(oldest.Events)); // forgotten: a new change
        Assert.Equal("Name 1", Assert.IsType<WatchlistView>(kept.Replay).Name);
    }

    [Fact(DisplayName = "A snapshot keeps the remembered keys; a snapshot from before keys loads with none")]
    public void Snapshot_keeps_keys()
    {
        var (state, _) = Run(Created(), new UpsertPosition(Id, Owner, "7203", 100, 2500) { IdempotencyKey = "k1" });

        var restored = WatchlistState.FromSnapshot(state.ToSnapshot());
        var old = WatchlistState.FromSnapshot(new WatchlistSnapshot(Id, Owner, "Core", ImmutableList<Position>.Empty, true, false, 1));

        Assert.Equal("k1", Assert.Single(restored.IdempotencyKeys).Key);
        Assert.IsType<WatchlistView>(restored.Decide(new UpsertPosition(Id, Owner, "7203", 100, 2500) { IdempotencyKey = "k1" }, T0, Catalog).Replay);
        Assert.Empty(old.IdempotencyKeys);
    }

    [Fact(DisplayName = "While the journal is down, the host answers a remembered key's retry from memory, and nothing else that writes")]
    public void Remembered_keys_answer_from_memory()
    {
        var put = new UpsertPosition(Id, Owner, "7203", 100, 2500) { IdempotencyKey = "k1" };
        var (state, _) = Run(Created(), put);

        Assert.Equal(state.ToView().Version, Assert.IsType<WatchlistView>(WatchlistActor.AnswerFromMemory(state, put)).Version);
        Assert.Equal(WatchlistRejection.IdempotencyKeyReused,
            Assert.IsType<WatchlistCommandRejected>(WatchlistActor.AnswerFromMemory(state, put with { Quantity = 5 })).Code);
        Assert.Null(WatchlistActor.AnswerFromMemory(state, put with { IdempotencyKey = "k2" }));
        Assert.Null(WatchlistActor.AnswerFromMemory(state, put with { IdempotencyKey = null }));
        Assert.IsType<WatchlistView>(WatchlistActor.AnswerFromMemory(state, new GetWatchlist(Id, Owner)));
    }

    [Fact(DisplayName = "Abandoning an id never created journals a tombstone, after which its create is refused as Abandoned and nothing is visible")]
    public void Abandon_tombstones_a_never_created_id()
    {
        var (state, decision) = Run(WatchlistState.Empty(Id), new AbandonWatchlist(Id, Owner));

        Assert.Equal(new WatchlistAbandoned(T0), Assert.Single(decision.Events));
        Assert.True(state.Abandoned);
        var create = state.Decide(new CreateWatchlist(Id, Owner, "Core"), T0, Catalog);
        Assert.Empty(create.Events);
        Assert.Equal(WatchlistRejection.Abandoned, create.Rejection?.Code);
        Assert.Equal(WatchlistRejection.NotFound, Assert.IsType<WatchlistCommandRejected>(state.Read(new GetWatchlist(Id, Owner))).Code);
        Assert.True(WatchlistState.FromSnapshot(state.ToSnapshot()).Abandoned);
    }

    [Fact(DisplayName = "Abandoning the requester's live watchlist journals nothing and answers its view: the link is real")]
    public void Abandon_keeps_a_live_watchlist()
    {
        var decision = Created().Decide(new AbandonWatchlist(Id, Owner), T0, Catalog);

        Assert.Empty(decision.Events);
        Assert.Null(decision.Rejection);
        Assert.Equal(Created().ToView(), decision.Replay);
    }

    [Fact(DisplayName = "Abandoning a deleted watchlist, another owner's, or one already abandoned journals nothing and answers abandoned")]
    public void Abandon_of_a_dead_link_writes_nothing()
    {
        var deleted = Created().Apply(new WatchlistDeleted(T0));
        var abandoned = WatchlistState.Empty(Id).Apply(new WatchlistAbandoned(T0));
        var cases = new[]
        {
            (deleted, Owner),
            (Created(), Owner + 1),
            (abandoned, Owner),
        };

        foreach (var (state, requester) in cases)
        {
            var decision = state.Decide(new AbandonWatchlist(Id, requester), T0, Catalog);
            Assert.Empty(decision.Events);
            Assert.Equal(new WatchlistAbandonedReply(Id), decision.Replay);
        }
    }
}
