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
}
