using ActorQuotes.Actors.Accounts;
using ActorQuotes.Contracts.Accounts;

namespace ActorQuotes.Actors.Tests;

/// <summary>The account's logout decisions with Idempotency-Keys, as pure functions: no actor system, no journal.</summary>
public sealed class AccountStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);

    private static AccountState Registered() =>
        AccountState.Empty("alice").Apply(new AccountRegistered(1, "alice", "hash", T0));

    private static AccountState Logout(AccountState state, RevokeToken command, DateTimeOffset now)
    {
        var (revoked, _) = state.DecideRevoke(command, now);
        return state.Apply(Assert.IsType<TokenRevoked>(revoked));
    }

    [Fact(DisplayName = "A keyed logout journals its key with the revocation; its retry is answered as recorded and journals nothing")]
    public void Logout_retry()
    {
        var logout = new RevokeToken("alice", "T1", T0.AddHours(1)) { IdempotencyKey = "k1" };
        var (revoked, _) = Registered().DecideRevoke(logout, T0);
        Assert.Equal("k1", Assert.IsType<TokenRevoked>(revoked).IdempotencyKey);
        var state = Registered().Apply(revoked!);

        var (again, answer) = state.DecideRevoke(logout, T0.AddSeconds(5));

        Assert.Null(again);
        Assert.Equal(new TokenRevocationRecorded("alice", "T1"), answer);
    }

    [Fact(DisplayName = "A logout key used for another token is IdempotencyKeyReused; a revoked token under a new key is TokenRevoked")]
    public void Logout_key_reused()
    {
        var state = Logout(Registered(), new RevokeToken("alice", "T1", T0.AddHours(1)) { IdempotencyKey = "k1" }, T0);

        var (_, otherToken) = state.DecideRevoke(new RevokeToken("alice", "T2", T0.AddHours(1)) { IdempotencyKey = "k1" }, T0);
        var (_, newKey) = state.DecideRevoke(new RevokeToken("alice", "T1", T0.AddHours(1)) { IdempotencyKey = "k2" }, T0);

        Assert.Equal(AccountRejection.IdempotencyKeyReused, Assert.IsType<AccountCommandRejected>(otherToken).Code);
        Assert.Equal(AccountRejection.TokenRevoked, Assert.IsType<AccountCommandRejected>(newKey).Code);
    }

    [Fact(DisplayName = "A logout key is forgotten with its revocation once the token has expired, and survives a snapshot until then")]
    public void Logout_key_bound()
    {
        var state = Logout(Registered(), new RevokeToken("alice", "T1", T0.AddHours(1)) { IdempotencyKey = "k1" }, T0);
        Assert.Equal("T1", AccountState.FromSnapshot(state.ToSnapshot()).LogoutKeys["k1"]);

        var later = Logout(state, new RevokeToken("alice", "T2", T0.AddHours(3)) { IdempotencyKey = "k2" }, T0.AddHours(2));

        Assert.Equal(["k2"], later.LogoutKeys.Keys);
        Assert.Equal(["T2"], later.RevokedTokens.Keys);
    }

    [Fact(DisplayName = "A snapshot from before logout keys loads with none")]
    public void Old_snapshot()
    {
        var old = new AccountSnapshot("alice", 1, "hash", null, [], System.Collections.Immutable.ImmutableDictionary<string, long>.Empty,
            System.Collections.Immutable.ImmutableDictionary<string, DateTimeOffset>.Empty, true);

        Assert.Empty(AccountState.FromSnapshot(old).LogoutKeys);
    }

    [Fact(DisplayName = "Only links journaled at least the given age ago are offered for reconciliation, in link order")]
    public void Stale_links_by_age()
    {
        var state = Registered()
            .Apply(new WatchlistLinked(5, T0))
            .Apply(new WatchlistLinked(3, T0.AddSeconds(30)))
            .Apply(new WatchlistLinked(9, T0.AddSeconds(61)));

        Assert.Equal([5L, 3L], state.LinkedBefore(T0.AddSeconds(90) - TimeSpan.FromMinutes(1)));
        Assert.Equal([5L], state.LinkedBefore(T0.AddSeconds(29)));
        Assert.Empty(state.LinkedBefore(T0.AddTicks(-1)));
    }

    [Fact(DisplayName = "An unlinked watchlist's link time goes with it; a re-link starts a new time, and times survive a snapshot")]
    public void Link_times_follow_links()
    {
        var state = Registered()
            .Apply(new WatchlistLinked(5, T0))
            .Apply(new WatchlistLinked(6, T0))
            .Apply(new WatchlistUnlinked(5, T0.AddMinutes(1)))
            .Apply(new WatchlistLinked(5, T0.AddMinutes(2)));

        Assert.Equal([6L, 5L], state.WatchlistIds);
        Assert.Equal([6L], state.LinkedBefore(T0.AddMinutes(1)));
        var restored = AccountState.FromSnapshot(state.ToSnapshot());
        Assert.Equal(state.LinkedAt, restored.LinkedAt);
        Assert.Equal([6L], restored.LinkedBefore(T0.AddMinutes(1)));
    }

    [Fact(DisplayName = "Links from a snapshot written before link times count as old: their watchlist's answer decides")]
    public void Old_snapshot_links_count_as_old()
    {
        var old = new AccountSnapshot("alice", 1, "hash", null, [5, 6], System.Collections.Immutable.ImmutableDictionary<string, long>.Empty,
            System.Collections.Immutable.ImmutableDictionary<string, DateTimeOffset>.Empty, true);
        var state = AccountState.FromSnapshot(old).Apply(new WatchlistLinked(7, T0));

        Assert.Equal([5L, 6L], state.LinkedBefore(T0.AddTicks(-1)));
    }

    [Fact(DisplayName = "Releasing links unlinks each id still linked once, and nothing for ids not linked or an unknown account")]
    public void Release_unlinks_only_linked_ids()
    {
        var state = Registered().Apply(new WatchlistLinked(5, T0)).Apply(new WatchlistLinked(6, T0));

        var events = state.DecideRelease([6, 9, 6], T0.AddMinutes(2));

        Assert.Equal([new WatchlistUnlinked(6, T0.AddMinutes(2))], events);
        Assert.Equal([5L], events.Aggregate(state, (s, e) => s.Apply(e)).WatchlistIds);
        Assert.Empty(AccountState.Empty("bob").DecideRelease([5], T0));
    }
}
