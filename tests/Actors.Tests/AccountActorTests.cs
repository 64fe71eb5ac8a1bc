using ActorQuotes.Actors.Accounts;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Accounts;

namespace ActorQuotes.Actors.Tests;

public sealed class AccountActorTests(ITestOutputHelper output) : ActorQuotesTestKit(output)
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero));

    [Fact(DisplayName = "An account registers once, keeps its hash and watchlists across a restart, and refuses a second registration")]
    public async Task Register_link_recover()
    {
        var first = Sys.ActorOf(AccountActor.Props("alice", CreateTestProbe().Ref, _clock));
        first.Tell(new GetAccountCredentials("alice"));
        Assert.Equal(AccountRejection.NotFound, (await ExpectMsgAsync<AccountCommandRejected>()).Code);
        first.Tell(new RegisterAccount("alice", 11, "hash-1"));
        Assert.Equal(new AccountView(11, "alice"), await ExpectMsgAsync<AccountView>());
        first.Tell(new RegisterAccount("alice", 12, "hash-2"));
        Assert.Equal(AccountRejection.AlreadyExists, (await ExpectMsgAsync<AccountCommandRejected>()).Code);
        first.Tell(new LinkWatchlist("alice", 5));
        await ExpectMsgAsync<WatchlistLinkResult>();
        first.Tell(new LinkWatchlist("alice", 6));
        await ExpectMsgAsync<WatchlistLinkResult>();
        first.Tell(new UnlinkWatchlist("alice", 5));
        await ExpectMsgAsync<AccountWatchlists>();
        Watch(first);
        first.Tell(StopEntity.Instance);
        await ExpectTerminatedAsync(first);

        var second = Sys.ActorOf(AccountActor.Props("alice", CreateTestProbe().Ref, _clock));
        second.Tell(new GetAccountCredentials("alice"));
        Assert.Equal(new AccountCredentials(11, "alice", "hash-1", null), await ExpectMsgAsync<AccountCredentials>());
        second.Tell(new GetAccountWatchlists("alice"));
        Assert.Equal([6L], (await ExpectMsgAsync<AccountWatchlists>()).WatchlistIds);
    }

    [Fact(DisplayName = "A user owns at most 50 watchlists")]
    public async Task Watchlist_limit()
    {
        var account = Sys.ActorOf(AccountActor.Props("bob", CreateTestProbe().Ref, _clock));
        account.Tell(new RegisterAccount("bob", 1, "h"));
        await ExpectMsgAsync<AccountView>();
        for (var i = 1; i <= AccountState.MaxWatchlists; i++)
        {
            account.Tell(new LinkWatchlist("bob", i));
            await ExpectMsgAsync<WatchlistLinkResult>();
        }

        account.Tell(new LinkWatchlist("bob", 999));

        Assert.Equal(AccountRejection.LimitReached, (await ExpectMsgAsync<AccountCommandRejected>()).Code);
    }

    [Fact(DisplayName = "A revoked token is refused by CheckToken and announced on the account's topic; others stay good")]
    public async Task Revocation()
    {
        var mediator = CreateTestProbe();
        var account = Sys.ActorOf(AccountActor.Props("carol", mediator.Ref, _clock));
        account.Tell(new RegisterAccount("carol", 3, "h"));
        await ExpectMsgAsync<AccountView>();

        account.Tell(new RevokeToken("carol", "T1", _clock.GetUtcNow().AddHours(1)));
        Assert.Equal(new TokenRevocationRecorded("carol", "T1"), await ExpectMsgAsync<TokenRevocationRecorded>());
        var notice = await mediator.ExpectMsgAsync<Akka.Cluster.Tools.PublishSubscribe.Publish>();
        account.Tell(new CheckToken("carol", "T1"));
        var refused = await ExpectMsgAsync<AccountCommandRejected>();
        account.Tell(new CheckToken("carol", "T2"));
        var accepted = await ExpectMsgAsync<AccountView>();

        Assert.Equal(Topics.Account("carol"), notice.Topic);
        Assert.Equal(new TokenRevokedNotice("carol", "T1"), notice.Message);
        Assert.Equal(AccountRejection.TokenRevoked, refused.Code);
        Assert.Equal(new AccountView(3, "carol"), accepted);
    }

    [Fact(DisplayName = "Linking with a used Idempotency-Key answers the first id and journals nothing")]
    public async Task Idempotent_link()
    {
        var account = Sys.ActorOf(AccountActor.Props("dave", CreateTestProbe().Ref, _clock));
        account.Tell(new RegisterAccount("dave", 4, "h"));
        await ExpectMsgAsync<AccountView>();

        account.Tell(new LinkWatchlist("dave", 10, "k1"));
        var first = await ExpectMsgAsync<WatchlistLinkResult>();
        account.Tell(new LinkWatchlist("dave", 11, "k1"));
        var retry = await ExpectMsgAsync<WatchlistLinkResult>();
        account.Tell(new GetAccountWatchlists("dave"));

        Assert.Equal(new WatchlistLinkResult("dave", 10, false), first);
        Assert.Equal(new WatchlistLinkResult("dave", 10, true), retry);
        Assert.Equal([10L], (await ExpectMsgAsync<AccountWatchlists>()).WatchlistIds);
    }

    [Fact(DisplayName = "Repeated failed logins lock the account out until the throttle's time has passed")]
    public async Task Lockout_through_the_actor()
    {
        var account = Sys.ActorOf(AccountActor.Props("erin", CreateTestProbe().Ref, _clock));
        account.Tell(new RegisterAccount("erin", 5, "h"));
        await ExpectMsgAsync<AccountView>();
        for (var i = 0; i < LoginThrottle.FreeAttempts; i++)
        {
            account.Tell(new RecordLoginResult("erin", false));
        }

        account.Tell(new BeginLogin("erin"));
        var locked = await ExpectMsgAsync<LoginLockedOut>();
        _clock.Advance(LoginThrottle.FirstLock);
        account.Tell(new BeginLogin("erin"));

        Assert.Equal(_clock.GetUtcNow(), locked.Until);
        Assert.Equal(5, (await ExpectMsgAsync<AccountCredentials>()).UserId);
    }

    [Fact(DisplayName = "Stale links are measured by the account's clock: a link becomes a candidate once it is MinAge old")]
    public async Task Stale_links_by_the_accounts_clock()
    {
        var account = Sys.ActorOf(AccountActor.Props("frank", CreateTestProbe().Ref, _clock));
        account.Tell(new GetStaleWatchlistLinks("frank", TimeSpan.FromMinutes(1)));
        Assert.Equal(AccountRejection.NotFound, (await ExpectMsgAsync<AccountCommandRejected>()).Code);
        account.Tell(new RegisterAccount("frank", 6, "h"));
        await ExpectMsgAsync<AccountView>();
        account.Tell(new LinkWatchlist("frank", 31));
        await ExpectMsgAsync<WatchlistLinkResult>();
        _clock.Advance(TimeSpan.FromSeconds(30));
        account.Tell(new LinkWatchlist("frank", 32));
        await ExpectMsgAsync<WatchlistLinkResult>();

        _clock.Advance(TimeSpan.FromSeconds(29));
        account.Tell(new GetStaleWatchlistLinks("frank", TimeSpan.FromMinutes(1)));
        Assert.Empty((await ExpectMsgAsync<AccountWatchlists>()).WatchlistIds);
        _clock.Advance(TimeSpan.FromSeconds(1));
        account.Tell(new GetStaleWatchlistLinks("frank", TimeSpan.FromMinutes(1)));
        Assert.Equal([31L], (await ExpectMsgAsync<AccountWatchlists>()).WatchlistIds);
    }

    [Fact(DisplayName = "Released links are gone after a restart and free their places under the limit")]
    public async Task Released_links_free_the_limit()
    {
        var account = Sys.ActorOf(AccountActor.Props("gina", CreateTestProbe().Ref, _clock));
        account.Tell(new RegisterAccount("gina", 7, "h"));
        await ExpectMsgAsync<AccountView>();
        for (var i = 1; i <= AccountState.MaxWatchlists; i++)
        {
            account.Tell(new LinkWatchlist("gina", i));
            await ExpectMsgAsync<WatchlistLinkResult>();
        }

        account.Tell(new ReleaseWatchlistLinks("gina", [3, 4, 999]));
        Assert.Equal(AccountState.MaxWatchlists - 2, (await ExpectMsgAsync<AccountWatchlists>()).WatchlistIds.Count);
        Watch(account);
        account.Tell(StopEntity.Instance);
        await ExpectTerminatedAsync(account);

        var again = Sys.ActorOf(AccountActor.Props("gina", CreateTestProbe().Ref, _clock));
        again.Tell(new GetAccountWatchlists("gina"));
        var owned = (await ExpectMsgAsync<AccountWatchlists>()).WatchlistIds;
        Assert.DoesNotContain(3L, owned);
        Assert.DoesNotContain(4L, owned);
        again.Tell(new LinkWatchlist("gina", 100));
        Assert.Equal(100, (await ExpectMsgAsync<WatchlistLinkResult>()).WatchlistId);
    }
}
