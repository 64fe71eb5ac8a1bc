using System.Net;
using ActorQuotes.Gateway.Tests;
using ActorQuotes.Gateway.Tests.Infrastructure;

namespace ActorQuotes.Cli.Tests;

/// <summary>Issue 22 item 7: guessing watchlist ids costs a journal read each, and no resident entity.</summary>
[Collection(AdminNodeCollection.Name)]
public sealed class UnknownIdTests(AdminNodeFixture fixture)
{
    // The 20,000 pass too (about 4.5 min on a loaded 2-core machine); 2,000 show the same property.
    private const int Requests = 2_000;
    private const int Concurrency = 16;

    private AdminNode Node => fixture.Node;

    [Fact(DisplayName = "2,000 requests for random watchlist ids are each answered 404 and leave no watchlist entity in memory")]
    public async Task Unknown_ids_leave_no_entities()
    {
        var http = Node.Host.Http;
        var (token, _) = await http.RegisterAndLogin(AdminNodeFixture.NewUsername("guesser"));
        // A real watchlist is looked at too: it stays, as before.
        var real = await http.CreateWatchlist(token, "Kept");
        var before = await WatchlistEntities();

        var next = 0;
        var notFound = 0;
        var workers = Enumerable.Range(0, Concurrency).Select(async worker =>
        {
            var random = new Random(worker);
            while (Interlocked.Increment(ref next) <= Requests)
            {
                // Far above any id the sequence has handed out, so none exists.
                var id = random.NextInt64(1_000_000_000L, long.MaxValue);
                using var response = await http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}", token));
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    Interlocked.Increment(ref notFound);
                }
            }
        });
        await Task.WhenAll(workers);
        using var kept = await http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{real}", token));

        Assert.Equal(Requests, notFound);
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        // Each unknown entity passivates right after its answer; the last few may still be stopping when asked.
        var after = 0;
        var settled = await Eventually.TrueWithin(TimeSpan.FromSeconds(30), async () => (after = await WatchlistEntities()) <= before);
        Assert.True(settled, $"{after} watchlist entities in memory after {Requests} unknown ids (before: {before})");
    }

    private async Task<int> WatchlistEntities()
    {
        var regions = await Aq.Run(Node, "cluster-sharding", "regions", "--json");
        Assert.True(regions.ExitCode == 0, regions.ToString());
        var row = regions.Json["regions"]!.AsArray().Single(r => r!["type_name"]!.GetValue<string>() == "watchlist")!;
        return row["entities"]!.GetValue<int>();
    }
}
