using System.Net;
using ActorQuotes.Actors.Accounts;
using ActorQuotes.Contracts.Accounts;
using ActorQuotes.Contracts.Ids;
using ActorQuotes.Contracts.Watchlists;
using ActorQuotes.Gateway.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Tests;

/// <summary>
/// Issue 22 item 3 in one process: links whose create has not (yet) happened, made the way a create makes them
/// (<see cref="LinkWatchlist"/> through the gateway's own regions), with a clock the test moves.
/// The crash itself is <see cref="KilledCreateTests"/>.
/// </summary>
public sealed class UnfinishedCreateTests
{
    [Fact(DisplayName = "At the limit, links younger than Watchlists:AbandonCreateAfter are kept, and a slow create for one still succeeds")]
    public async Task Young_links_are_kept()
    {
        await using var host = await GatewayHost.StartAsync();
        var (username, token, userId) = await Register(host, "young");
        var linked = await LinkWithoutCreate(host, username, AccountState.MaxWatchlists);
        // Not moved: the links are seconds old against a minute (LinkedBefore's exact edge is AccountStateTests').

        var over = await Create(host, token, "One too many");
        var slow = await Regions(host).WriteWatchlist(new CreateWatchlist(linked[0], userId, "Slow"), CancellationToken.None);

        Assert.Equal(HttpStatusCode.Conflict, over.StatusCode);
        Assert.Equal("limit_reached", (await over.ReadJson())["code"]!.GetValue<string>());
        Assert.Equal(linked[0], Assert.IsType<WatchlistView>(slow).WatchlistId);
        Assert.Equal([linked[0]], await List(host, token));
    }

    [Fact(DisplayName = "A create still in flight when a limit check lets its link go is refused, and its retry with the same Idempotency-Key creates a new watchlist")]
    public async Task Late_create_is_refused_and_its_retry_succeeds()
    {
        var clock = new MovableClock();
        await using var host = await GatewayHost.StartAsync(null, services => services.AddSingleton<TimeProvider>(clock));
        var (username, token, userId) = await Register(host, "late");
        var linked = await LinkWithoutCreate(host, username, AccountState.MaxWatchlists, firstKey: "slow-key");
        clock.Advance(WatchlistOptions.DefaultAbandonCreateAfter);

        var fresh = await Create(host, token, "Fresh");
        var late = await Regions(host).WriteWatchlist(new CreateWatchlist(linked[0], userId, "Slow"), CancellationToken.None);
        var retried = await Create(host, token, "Slow", key: "slow-key");

        Assert.Equal(HttpStatusCode.Created, fresh.StatusCode);
        Assert.Equal(WatchlistRejection.Abandoned, Assert.IsType<WatchlistCommandRejected>(late).Code);
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        var retriedId = (await retried.ReadJson())["watchlist_id"]!.GetValue<long>();
        Assert.DoesNotContain(retriedId, linked);
        Assert.Equal([(await fresh.ReadJson())["watchlist_id"]!.GetValue<long>(), retriedId], await List(host, token));
        var owned = await Regions(host).AskAccount(new GetAccountWatchlists(username), CancellationToken.None);
        Assert.Equal(2, Assert.IsType<AccountWatchlists>(owned).WatchlistIds.Count); // the 50 dead links are gone, not just hidden
    }

    [Fact(DisplayName = "A keyed retry whose id was tombstoned before its link was released answers 503, and the next retry creates a new watchlist")]
    public async Task Retry_after_a_tombstone_without_its_unlink()
    {
        await using var host = await GatewayHost.StartAsync();
        var (username, token, userId) = await Register(host, "halfway");
        var linked = await LinkWithoutCreate(host, username, 1, firstKey: "halfway-key");
        // A limit check that stopped between its two writes: the tombstone is journaled, the link is not yet released.
        var abandoned = await Regions(host).WriteWatchlist(new AbandonWatchlist(linked[0], userId), CancellationToken.None);
        Assert.IsType<WatchlistAbandonedReply>(abandoned);

        var first = await Create(host, token, "Halfway", key: "halfway-key");
        var second = await Create(host, token, "Halfway", key: "halfway-key");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal("unavailable", (await first.ReadJson())["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        var id = (await second.ReadJson())["watchlist_id"]!.GetValue<long>();
        Assert.NotEqual(linked[0], id);
        var owned = await Regions(host).AskAccount(new GetAccountWatchlists(username), CancellationToken.None);
        Assert.Equal([id], Assert.IsType<AccountWatchlists>(owned).WatchlistIds);
    }

    [Fact(DisplayName = "Watchlists:AbandonCreateAfter shorter than twice Requests:AskTimeout stops the start with a message naming both keys")]
    public async Task Cutoff_must_outlast_two_ask_timeouts()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            GatewayHost.StartAsync(null, "--Requests:AskTimeout=00:00:05", "--Watchlists:AbandonCreateAfter=00:00:09"));

        Assert.Contains("Watchlists:AbandonCreateAfter must be at least twice Requests:AskTimeout (00:00:10)", error.Message);
    }

    private static ActorQuotesRegions Regions(GatewayHost host) => host.Services.GetRequiredService<ActorQuotesRegions>();

    private static async Task<(string Username, string Token, long UserId)> Register(GatewayHost host, string prefix)
    {
        var username = GatewayFixture.NewUsername(prefix);
        var (token, userId) = await host.Http.RegisterAndLogin(username);
        return (username, token, userId);
    }

    /// <summary>What a create does before its watchlist is journaled: a fresh id, linked to the owner. Nothing after.</summary>
    private static async Task<List<long>> LinkWithoutCreate(GatewayHost host, string username, int count, string? firstKey = null)
    {
        var regions = Regions(host);
        var ids = new List<long>();
        for (var i = 0; i < count; i++)
        {
            var id = await regions.AllocateId(IdSequences.Watchlists, CancellationToken.None);
            var link = await regions.WriteAccount(new LinkWatchlist(username, id, i == 0 ? firstKey : null), CancellationToken.None);
            ids.Add(Assert.IsType<WatchlistLinkResult>(link).WatchlistId);
        }

        return ids;
    }

    private static Task<HttpResponseMessage> Create(GatewayHost host, string token, string name, string? key = null)
    {
        var request = ApiClient.Authorized(HttpMethod.Post, "/api/v1/watchlists", token, $$"""{"name":"{{name}}"}""");
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return host.Http.SendAsync(request);
    }

    private static async Task<List<long>> List(GatewayHost host, string token)
    {
        var response = await host.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/watchlists", token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJson()).AsArray().Select(w => w!["watchlist_id"]!.GetValue<long>()).ToList();
    }
}

/// <summary>The system clock plus an offset the test moves forward; safe to read from any thread.</summary>
public sealed class MovableClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
