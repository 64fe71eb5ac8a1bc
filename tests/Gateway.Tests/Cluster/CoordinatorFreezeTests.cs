using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using ActorQuotes.Gateway.Tests.Infrastructure;

namespace ActorQuotes.Gateway.Tests.Cluster;

/// <summary>
/// Issue 21, item 4: readiness is a node's own ability to serve. When the node holding the shard coordinators stalls,
/// the other nodes must stay ready (a load balancer would otherwise have nowhere to send anything) while the cluster
/// downs the stalled node and moves the coordinators.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CoordinatorFreezeTests(TestCluster cluster, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    /// <summary>How often the survivors are probed, as a load balancer would (Kubernetes' shortest period is 1 s).</summary>
    private static readonly TimeSpan ProbeEvery = TimeSpan.FromMilliseconds(200);

    /// <summary>How long one probe may take before it counts as no answer: generous for a loaded machine (the check itself gives up after 3 s).</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    public async ValueTask InitializeAsync() => await cluster.EnsureAllRunningAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact(DisplayName = "A frozen coordinator node leaves the other nodes ready")]
    public async Task Frozen_coordinator_node_leaves_the_others_ready()
    {
        // The watchlist, account and id-sequence coordinators run on the oldest watchlists node (B or C), the
        // ticker coordinator on the oldest quotes node (A or C): the victim is the one the write path needs.
        var hosts = new Dictionary<string, ClusterNode>();
        foreach (var type in new[] { "watchlist", "account", "id-sequence", "ticker" })
        {
            var found = new List<ClusterNode>();
            foreach (var node in cluster.Nodes)
            {
                if (await HostsCoordinatorAsync(node, type))
                {
                    found.Add(node);
                }
            }

            Assert.True(found.Count == 1, $"the {type} coordinator runs on {found.Count} nodes: {string.Join(",", found.Select(f => f.Name))}");
            hosts[type] = found[0];
        }

        var victim = hosts["watchlist"];
        Assert.Equal(victim, hosts["account"]);
        Assert.Equal(victim, hosts["id-sequence"]);
        var survivors = cluster.Nodes.Where(n => n != victim).ToList();
        output.WriteLine($"coordinators: {string.Join(", ", hosts.Select(h => $"{h.Key} on {h.Value.Name}"))}; freezing {victim.Name}");

        await using var ledger = await WriteLedger.CreateAsync(survivors[0], "coord", watchlists: 6);
        ledger.StartWriter(survivors[0], "7203");
        ledger.StartWriter(survivors[1], "AAPL");
        var started = ledger.Now;
        foreach (var node in survivors)
        {
            Assert.True(await Eventually.TrueWithin(Bound, () => ledger.AllWatchlistsAcknowledgedAfter(started, via: node.Name) is not null),
                $"writes through {node.Name} did not reach every watchlist; answers: {ledger.Summary()}");
            Assert.Equal(HttpStatusCode.OK, (await Probe(node)).Status);
        }

        await using var watch = await ClusterWatch.OpenAsync(survivors[0], () => ledger.Now);
        var probes = new List<(string Node, TimeSpan At, HttpStatusCode Status, string Health, TimeSpan Took)>();
        var frozenAt = ledger.Now;
        await victim.Process.FreezeAsync();
        TimeSpan? downedAt = null;
        TimeSpan? servedAt = null;
        try
        {
            var downed = watch.WaitForAsync(victim.AkkaAddress, frozenAt, Bound, "member_downed", "member_removed");
            using var timer = new PeriodicTimer(ProbeEvery);
            while (servedAt is null)
            {
                var round = await Task.WhenAll(survivors.Select(async node => (node.Name, ledger.Now, Answer: await Probe(node))));
                probes.AddRange(round.Select(r => (r.Name, r.Now, r.Answer.Status, r.Answer.Health, r.Answer.Took)));
                if (downed.IsCompleted)
                {
                    downedAt = await downed;
                    Assert.True(downedAt is not null, $"{survivors[0].Name} did not see {victim.Name} downed within {Bound.TotalSeconds} s:\n{watch.Log()}");
                    servedAt = ledger.AllWatchlistsAcknowledgedAfter(downedAt.Value);
                }

                Assert.True(ledger.Now - frozenAt < Bound + Bound, $"writes were not served on every watchlist after {victim.Name} was downed; answers: {ledger.Summary()}");
                await timer.WaitForNextTickAsync();
            }
        }
        finally
        {
            await victim.Process.ThawAsync();
        }

        foreach (var group in probes.GroupBy(p => p.Node))
        {
            var degraded = group.Where(p => p.Health == "Degraded").ToList();
            output.WriteLine($"{group.Key}: {group.Count()} probes, {group.Count(p => p.Status == HttpStatusCode.OK)} answered 200 " +
                $"({degraded.Count} degraded{(degraded.Count > 0 ? $", {(degraded[0].At - frozenAt).TotalSeconds:F1}–{(degraded[^1].At - frozenAt).TotalSeconds:F1} s after SIGSTOP" : "")}), " +
                $"slowest answer {group.Max(p => p.Took).TotalSeconds:F1} s");
        }

        output.WriteLine($"{victim.Name} downed {(downedAt!.Value - frozenAt).TotalSeconds:F1} s after SIGSTOP; writes on every watchlist served again {(servedAt!.Value - frozenAt).TotalSeconds:F1} s after SIGSTOP");
        var unready = probes.Where(p => p.Status != HttpStatusCode.OK).ToList();
        Assert.True(unready.Count == 0,
            $"{unready.Count} of {probes.Count} readiness probes of the survivors did not answer 200, the first: {unready.FirstOrDefault()} ({(unready.FirstOrDefault().At - frozenAt).TotalSeconds:F1} s after SIGSTOP)");

        Assert.True(await victim.Process.WaitForExitAsync(Bound), $"{victim.Name} kept running after SIGCONT");
        await victim.StartAsync();
        await cluster.WaitAllReadyAsync();
        var readyAt = ledger.Now;
        foreach (var node in survivors)
        {
            Assert.True(await Eventually.TrueWithin(Bound, () => ledger.AllWatchlistsAcknowledgedAfter(readyAt, via: node.Name) is not null),
                $"writes through {node.Name} did not resume; answers: {ledger.Summary()}");
        }

        await ledger.StopAsync();
        output.WriteLine($"answers: {ledger.Summary()}");
        output.WriteLine($"{await ledger.VerifyAsync(survivors[0])} acknowledged writes are all in the history, in order");
    }

    /// <summary>One readiness probe: its status (0: no answer in time), the report's overall health and how long it took.</summary>
    private static async Task<(HttpStatusCode Status, string Health, TimeSpan Took)> Probe(ClusterNode node)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var timeout = new CancellationTokenSource(ProbeTimeout);
            using var response = await node.Http.GetAsync("/health/ready", timeout.Token);
            var health = JsonNode.Parse(await response.Content.ReadAsStringAsync(timeout.Token))!["status"]!.GetValue<string>();
            return (response.StatusCode, health, clock.Elapsed);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return (0, "no answer: " + e.GetType().Name, clock.Elapsed);
        }
    }

    /// <summary>Whether the shard coordinator of <paramref name="type"/> runs on <paramref name="node"/> (its singleton is there).</summary>
    private static async Task<bool> HostsCoordinatorAsync(ClusterNode node, string type)
    {
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{node.AdminPort}"), Timeout = TimeSpan.FromSeconds(30) };
        admin.DefaultRequestHeaders.Add("X-Admin-Key", TestCluster.AdminKey);
        using var response = await admin.GetAsync($"/admin/v1/actors?path=/system/sharding/{type}Coordinator&depth=1");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false; // a node without the role has a proxy and no coordinator manager
        }

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"actors of {node.Name}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["actors"]!.AsArray().Any(a => a!["path"]!.GetValue<string>().EndsWith($"/{type}Coordinator/singleton", StringComparison.Ordinal));
    }
}
