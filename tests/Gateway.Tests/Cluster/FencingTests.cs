using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using ActorQuotes.Gateway.Tests.Infrastructure;

namespace ActorQuotes.Gateway.Tests.Cluster;

/// <summary>
/// Issue 21's freeze, exactly: writers through the frozen node and through another, SIGSTOP for longer than the
/// split-brain resolver needs, SIGCONT. The lease fence (docs/architecture.md, "Fencing") must leave every
/// acknowledged write in the state and in the history, in order, and the woken node must answer no 2xx.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class FencingTests(TestCluster cluster, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(8);

    public async ValueTask InitializeAsync() => await cluster.EnsureAllRunningAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact(DisplayName = "A node frozen until the cluster downs it and then woken loses no acknowledged write, and answers no 2xx after it was downed")]
    public async Task Freeze_and_wake_loses_no_acknowledged_write()
    {
        var (token, _) = await cluster.A.RegisterAndLogin(GatewayFixture.NewUsername("fence"));
        var ids = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await cluster.A.CreateWatchlist(token, $"Fenced {i}"));
        }

        // The victim is the watchlists node that hosts more of them; one writer goes through it, one through A.
        var hosted = new[] { (Node: cluster.B, (await cluster.B.ReadinessAsync()).Watchlists), (Node: cluster.C, (await cluster.C.ReadinessAsync()).Watchlists) };
        var (victim, victimHosts) = hosted.MaxBy(h => h.Watchlists);
        Assert.True(victimHosts > 0, $"node {victim.Name} hosts no watchlist");
        output.WriteLine($"freezing {victim.Name}, which hosts {victimHosts} of the 6 watchlists");

        var answers = new ConcurrentQueue<Answer>();
        using var stopWriting = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var throughA = Write(cluster.A, "7203", ids, token, answers, clock, stopWriting.Token);
        var throughVictim = Write(victim, "AAPL", ids, token, answers, clock, stopWriting.Token);
        Assert.True(await Eventually.TrueWithin(FailoverBound, () => answers.Count(a => a.Ok) >= 24), "the writers made no progress");

        var frozenAt = clock.Elapsed;
        await victim.Process.FreezeAsync();
        TimeSpan downedAt;
        try
        {
            Assert.True(await Eventually.TrueWithin(FailoverBound, async () => (await cluster.A.ReadinessAsync()).MembersUp == 2),
                $"A still counts {victim.Name} as up");
            downedAt = clock.Elapsed;
            output.WriteLine($"{victim.Name} downed {(downedAt - frozenAt).TotalSeconds:F1} s after SIGSTOP");

            // Writes through A reach the victim's watchlists again on the node that took them over.
            var before = answers.Count(a => a.Ok && a.Via == "A");
            Assert.True(await Eventually.TrueWithin(FailoverBound, () => answers.Count(a => a.Ok && a.Via == "A") >= before + ids.Count * 2),
                "writes through A did not resume");
            output.WriteLine($"writes through A resumed {(clock.Elapsed - frozenAt).TotalSeconds:F1} s after SIGSTOP");
        }
        finally
        {
            await victim.Process.ThawAsync();
        }

        var thawedAt = clock.Elapsed;
        Assert.True(await victim.Process.WaitForExitAsync(FailoverBound), $"{victim.Name} kept running after SIGCONT");
        output.WriteLine($"{victim.Name} exited {(clock.Elapsed - thawedAt).TotalSeconds:F1} s after SIGCONT");
        var settled = answers.Count(a => a.Ok && a.Via == "A");
        Assert.True(await Eventually.TrueWithin(FailoverBound, () => answers.Count(a => a.Ok && a.Via == "A") >= settled + ids.Count), "writes through A stopped");
        await stopWriting.CancelAsync();
        await Task.WhenAll(throughA, throughVictim);

        var late = answers.Where(a => a.Via == victim.Name && a.Ok && a.At > downedAt).ToList();
        Assert.True(late.Count == 0, $"{victim.Name} answered {late.Count} writes with 2xx after it was downed, the first at {late.FirstOrDefault()?.At.TotalSeconds:F1} s");
        output.WriteLine($"answers: {string.Join(", ", answers.GroupBy(a => $"{a.Via} {a.Status}").Select(g => $"{g.Key}: {g.Count()}"))}");

        // Every acknowledged quantity is in the history, in the order it was written, and the state is the last of them.
        foreach (var id in ids)
        {
            var history = await Read(cluster.A, $"/api/v1/watchlists/{id}/history", token);
            var state = await Read(cluster.A, $"/api/v1/watchlists/{id}", token);
            foreach (var symbol in new[] { "7203", "AAPL" })
            {
                var journaled = history["events"]!.AsArray()
                    .Where(e => e!["ticker_symbol"]?.GetValue<string>() == symbol && e["quantity"] is not null)
                    .Select(e => (int)e!["quantity"]!.GetValue<double>())
                    .ToList();
                var acknowledged = answers.Where(a => a.Ok && a.WatchlistId == id && a.Symbol == symbol).Select(a => a.Quantity).Order().ToList();
                var missing = acknowledged.Except(journaled).ToList();
                Assert.True(missing.Count == 0, $"watchlist {id} {symbol}: acknowledged quantities {string.Join(",", missing)} are not in the history");
                Assert.Equal(journaled.Order(), journaled);
                var current = state["stocks"]!.AsArray().FirstOrDefault(s => s!["ticker_symbol"]!.GetValue<string>() == symbol);
                if (journaled.Count > 0)
                {
                    Assert.Equal(journaled[^1], (int)current!["quantity"]!.GetValue<double>());
                }
            }
        }

        await victim.StartAsync();
        await cluster.WaitAllReadyAsync();
    }

    private sealed record Answer(string Via, long WatchlistId, string Symbol, int Quantity, int Status, TimeSpan At)
    {
        public bool Ok => Status is >= 200 and < 300;
    }

    /// <summary>Quantity 1, 2, 3, … of one symbol into every watchlist in turn, through one node, each answer recorded.</summary>
    private static Task Write(ClusterNode node, string symbol, List<long> ids, string token, ConcurrentQueue<Answer> answers, Stopwatch clock, CancellationToken stop) =>
        Task.Run(async () =>
        {
            var http = node.Http;
            for (var quantity = 1; !stop.IsCancellationRequested; quantity++)
            {
                foreach (var id in ids)
                {
                    var status = 0;
                    try
                    {
                        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                        timeout.CancelAfter(RequestTimeout);
                        using var request = ApiClient.Authorized(HttpMethod.Put, $"/api/v1/watchlists/{id}/stocks/{symbol}", token,
                            $$"""{"quantity":{{quantity}},"purchase_price":100}""");
                        using var response = await http.SendAsync(request, timeout.Token);
                        status = (int)response.StatusCode;
                    }
                    catch (Exception e) when (e is HttpRequestException or OperationCanceledException or ObjectDisposedException)
                    {
                        // no answer: neither a promise nor a refusal
                    }

                    answers.Enqueue(new Answer(node.Name, id, symbol, quantity, status, clock.Elapsed));
                    if (stop.IsCancellationRequested)
                    {
                        return;
                    }
                }
            }
        });

    private static async Task<JsonNode> Read(ClusterNode node, string path, string token)
    {
        JsonNode? found = null;
        Assert.True(await Eventually.TrueWithin(FailoverBound, async () =>
        {
            using var response = await node.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, path, token));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }

            found = await response.ReadJson();
            return true;
        }), $"{path} did not answer 200 through {node.Name}");
        return found!;
    }
}
