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

    public async ValueTask InitializeAsync() => await cluster.EnsureAllRunningAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact(DisplayName = "A node frozen until the cluster downs it and then woken loses no acknowledged write, and answers no 2xx after it was downed")]
    public async Task Freeze_and_wake_loses_no_acknowledged_write()
    {
        await using var ledger = await WriteLedger.CreateAsync(cluster.A, "fence", watchlists: 6);

        // The victim is the watchlists node that hosts more of them; one writer goes through it, one through A.
        var hosted = new[] { (Node: cluster.B, (await cluster.B.ReadinessAsync()).Watchlists), (Node: cluster.C, (await cluster.C.ReadinessAsync()).Watchlists) };
        var (victim, victimHosts) = hosted.MaxBy(h => h.Watchlists);
        Assert.True(victimHosts > 0, $"node {victim.Name} hosts no watchlist");
        output.WriteLine($"freezing {victim.Name}, which hosts {victimHosts} watchlists (of all tests so far)");

        ledger.StartWriter(cluster.A, "7203");
        ledger.StartWriter(victim, "AAPL");
        Assert.True(await ledger.ProgressWithin(FailoverBound, 24), "the writers made no progress");

        await victim.Process.FreezeAsync();
        var frozenAt = ledger.Now;
        TimeSpan downedAt;
        try
        {
            Assert.True(await Eventually.TrueWithin(FailoverBound, async () => (await cluster.A.ReadinessAsync()).MembersUp == 2),
                $"A still counts {victim.Name} as up");
            downedAt = ledger.Now;
            output.WriteLine($"{victim.Name} downed {(downedAt - frozenAt).TotalSeconds:F1} s after SIGSTOP");

            // Writes through A reach the victim's watchlists again on the node that took them over.
            Assert.True(await Eventually.TrueWithin(FailoverBound, () => ledger.AllWatchlistsAcknowledgedAfter(downedAt) is not null),
                "writes through A did not resume on every watchlist");
            output.WriteLine($"writes on every watchlist answered again {(ledger.AllWatchlistsAcknowledgedAfter(downedAt)!.Value - frozenAt).TotalSeconds:F1} s after SIGSTOP");
        }
        finally
        {
            await victim.Process.ThawAsync();
        }

        var thawedAt = ledger.Now;
        Assert.True(await victim.Process.WaitForExitAsync(FailoverBound), $"{victim.Name} kept running after SIGCONT");
        output.WriteLine($"{victim.Name} exited {(ledger.Now - thawedAt).TotalSeconds:F1} s after SIGCONT");
        Assert.True(await ledger.ProgressWithin(FailoverBound, 6, via: "A"), "writes through A stopped");
        await ledger.StopAsync();

        var late = ledger.AcknowledgedAfter(victim.Name, downedAt, sentFrom: frozenAt);
        Assert.True(late.Count == 0, $"{victim.Name} answered {late.Count} writes with 2xx after it was downed, the first at {late.FirstOrDefault()?.At.TotalSeconds:F1} s");
        output.WriteLine($"answers: {ledger.Summary()}");
        output.WriteLine($"{await ledger.VerifyAsync(cluster.A)} acknowledged writes are all in the history, in order");

        await victim.StartAsync();
        await cluster.WaitAllReadyAsync();
    }
}
