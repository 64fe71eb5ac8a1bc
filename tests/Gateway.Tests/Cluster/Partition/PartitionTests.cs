using System.Globalization;
using ActorQuotes.Gateway.Tests.Infrastructure;

namespace ActorQuotes.Gateway.Tests.Cluster.Partition;

/// <summary>
/// Issue 21's real partition: the nodes in network namespaces (<see cref="PartitionCluster"/>), one of them cut off
/// from the other two (in even cycles from PostgreSQL too) while clients on both sides keep writing; and a
/// slow, lossy cluster network that must not down anyone, with a node killed under it. Timings are printed, and
/// asserted only against generous bounds. <c>AQ_PARTITION_CYCLES</c> repeats the partition (deploy/partition.sh).
/// </summary>
[Collection(PartitionCollection.Name)]
public sealed class PartitionTests(PartitionCluster cluster, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(50);
    private const int LossPercent = 1;
    private static readonly TimeSpan ShapedWindow = TimeSpan.FromSeconds(30);
    private const string ProbeSymbol = "6758";
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);

    public async ValueTask InitializeAsync() => await cluster.EnsureAllRunningAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact(DisplayName = "A node cut off from the other two while clients on both sides write loses no acknowledged write, answers no 2xx once downed, and fences itself")]
    public async Task Partition_loses_no_acknowledged_write()
    {
        var cycles = int.TryParse(Environment.GetEnvironmentVariable("AQ_PARTITION_CYCLES"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;
        var broken = new List<string>();
        try
        {
            for (var cycle = 1; cycle <= cycles; cycle++)
            {
                // A broken promise is counted and the cycles go on, so a long run measures every cycle.
                broken.AddRange(await PartitionCycleAsync(cycle, cycles));
            }
        }
        catch (Exception)
        {
            await NodeLogs.KeepAsync("partition", cluster.Nodes, output);
            throw;
        }

        if (broken.Count > 0)
        {
            await NodeLogs.KeepAsync("partition", cluster.Nodes, output);
        }

        Assert.True(broken.Count == 0, string.Join('\n', broken));
    }

    [Fact(DisplayName = "A cluster network with 50 ms of delay and 1 % loss on every link downs no member, and still fails a killed node over")]
    public Task Slow_lossy_network_downs_nobody_and_fails_over() => KeepingLogsAsync(SlowLossyNetworkAsync);

    private async Task SlowLossyNetworkAsync()
    {
        await using var ledger = await WriteLedger.CreateAsync(cluster.A, "lossy", watchlists: 6);
        foreach (var (node, symbol) in cluster.Nodes.Zip(["7203", "AAPL", "MSFT"]))
        {
            ledger.StartWriter(node, symbol);
        }

        // A is on the majority side in every fault here; its probe says when writes came back (WriteLedger.StartProbe).
        ledger.StartProbe(cluster.A, ProbeSymbol, ProbeInterval);

        Assert.True(await ledger.ProgressWithin(FailoverBound, 30), "the writers made no progress");
        var (victim, hosted) = await cluster.BusierWatchlistsNodeAsync(ledger.Watchlists);
        var survivor = victim == cluster.B ? cluster.C : cluster.B;
        var before = await cluster.Network.HandshakeAsync("A", "B");

        await using (var shaping = await cluster.Network.ShapeAsync(Delay, LossPercent))
        {
            var shapedAt = ledger.Now;
            var handshake = await cluster.Network.HandshakeAsync("A", "B");
            output.WriteLine($"TCP handshake A to B over the cluster link: {before.TotalMilliseconds:F1} ms before, {handshake.TotalMilliseconds:F1} ms with the delay (median of 5)");
            Assert.True(handshake >= 2 * Delay - TimeSpan.FromMilliseconds(5), $"a handshake took {handshake.TotalMilliseconds:F1} ms: the delay is not applied");
            var acknowledgedBefore = ledger.Acknowledged();
            var (fewestUp, mostUnreachable) = await ObserveMembershipAsync(ShapedWindow);
            var (dropped, queued) = await shaping.CountersAsync();
            var acknowledged = ledger.Acknowledged() - acknowledgedBefore;
            output.WriteLine($"{ShapedWindow.TotalSeconds:F0} s of {Delay.TotalMilliseconds:F0} ms delay and {LossPercent} % loss on every cluster link: " +
                $"{queued} packets delayed, {dropped} dropped ({100.0 * dropped / Math.Max(1, dropped + queued):F2} %), {acknowledged} writes acknowledged; " +
                $"fewest members up seen by any node {fewestUp}, most unreachable {mostUnreachable}");
            Assert.True(fewestUp == 3, $"a member was downed on the slow, lossy network (a node saw {fewestUp} up)");
            Assert.True(queued > 0 && shaping.Delayed > 0, "no cluster packet went through the delayer");
            Assert.True(dropped > 0, "no cluster packet was dropped");
            Assert.True(acknowledged > 0, "no write was acknowledged on the slow, lossy network");

            // Then a crash under the same conditions.
            var killedAt = ledger.Now;
            victim.Process.Kill();
            var (detected, downed, writesBack) = await FailoverAsync(ledger, victim, killedAt);
            Assert.True(survivor.IsRunning && (await PartitionCluster.MembershipAsync(survivor)).Up == 2, $"{survivor.Name} did not stay up with A");
            output.WriteLine($"kill -9 of {victim.Name} (hosting {hosted} of the 6 watchlists) {(killedAt - shapedAt).TotalSeconds:F1} s into the slow, lossy network: " +
                $"unreachable at +{Seconds(detected - killedAt)} s, downed at +{Seconds(downed - killedAt)} s, writes on every watchlist back at +{Seconds(writesBack - killedAt)} s (probe +{Probe(ledger, killedAt)} s)");
        }

        await victim.StartAsync();
        await cluster.WaitAllReadyAsync();
        Assert.True(await ledger.ProgressWithin(FailoverBound, 6), "writes stopped after the network was healed");
        await ledger.StopAsync();
        output.WriteLine($"answers: {ledger.Summary()}");
        output.WriteLine($"{await ledger.VerifyAsync(cluster.A)} acknowledged writes are all in the history, in order");
    }

    /// <summary>Runs <paramref name="test"/>; when it fails, keeps every node process's output first (<see cref="NodeLogs"/>).</summary>
    private async Task KeepingLogsAsync(Func<Task> test)
    {
        try
        {
            await test();
        }
        catch (Exception)
        {
            await NodeLogs.KeepAsync("partition", cluster.Nodes, output);
            throw;
        }
    }

    /// <summary>One partition and heal; returns the promises it broke (2xx after downing, acknowledged writes missing).</summary>
    private async Task<IReadOnlyList<string>> PartitionCycleAsync(int cycle, int cycles)
    {
        await cluster.EnsureAllRunningAsync();
        await using var ledger = await WriteLedger.CreateAsync(cluster.A, $"partition{cycle}", watchlists: 6);
        foreach (var (node, symbol) in cluster.Nodes.Zip(["7203", "AAPL", "MSFT"]))
        {
            ledger.StartWriter(node, symbol);
        }

        // A is on the majority side in every fault here; its probe says when writes came back (WriteLedger.StartProbe).
        ledger.StartProbe(cluster.A, ProbeSymbol, ProbeInterval);

        Assert.True(await ledger.ProgressWithin(FailoverBound, 30), "the writers made no progress");
        var (victim, hosted) = await cluster.BusierWatchlistsNodeAsync(ledger.Watchlists);
        Assert.True(hosted > 0, $"node {victim.Name} hosts none of the watchlists");

        var cutAt = ledger.Now;
        var process = victim.Process;
        var exited = ExitTimeAsync(ledger, process);
        // Odd cycles (the one CI runs): both sides still reach the database, so only the leases keep the cut-off node
        // from writing once the majority has taken its watchlists, and only its pause (NodeFence.Suspend) keeps it
        // from answering 2xx once the majority has downed it. Even cycles: the database stays with the majority
        // and the cut-off node's lease runs out.
        var keepDatabase = cycle % 2 == 1;
        var fault = keepDatabase ? "cluster links cut, database reachable" : "cluster links and database cut";
        var cutWallClock = DateTime.UtcNow;
        await cluster.Network.CutOffAsync(victim.Name, keepDatabase);
        TimeSpan detected, downed, writesBack;
        try
        {
            (detected, downed, writesBack) = await FailoverAsync(ledger, victim, cutAt);
            var majority = cluster.Nodes.Where(n => n != victim).Select(n => n.Name).ToList();
            foreach (var name in majority)
            {
                Assert.True(await ledger.ProgressWithin(FailoverBound, 3, via: name), $"writes through {name} did not resume on the majority");
            }
        }
        finally
        {
            await cluster.Network.HealAsync(victim.Name);
        }

        var healedAt = ledger.Now;
        var exitedAt = await exited;
        Assert.True(exitedAt is not null, $"{victim.Name} kept running after it was cut off and healed. Output:\n{Tail(process.Output)}");
        var (fencedAt, reason) = FenceTime(process.Output, cutWallClock);
        Assert.True(await ledger.ProgressWithin(FailoverBound, 6, via: "A"), "writes through A stopped after the heal");
        await ledger.StopAsync();

        var broken = new List<string>();
        var late = ledger.AcknowledgedAfter(victim.Name, downed);
        if (late.Count > 0)
        {
            broken.Add($"cycle {cycle} ({fault}): {victim.Name} answered {late.Count} writes with 2xx after the majority downed it " +
                $"(downed at +{Seconds(downed - cutAt)} s, 2xx from +{Seconds(late[0].At - cutAt)} s to +{Seconds(late[^1].At - cutAt)} s after the cut; " +
                $"it stopped serving at +{fencedAt} s: {reason})");
        }

        var afterCut = ledger.Answers.Where(a => a.Sent >= cutAt).ToList();
        var failed = afterCut.Count(a => !a.Ok);
        var failedViaVictim = afterCut.Count(a => !a.Ok && a.Via == victim.Name);
        var victimAcknowledged = afterCut.Where(a => a.Ok && a.Via == victim.Name).ToList();
        string lost;
        try
        {
            lost = "0";
            output.WriteLine($"{await ledger.VerifyAsync(cluster.A)} acknowledged writes are all in the history, in order");
        }
        catch (Xunit.Sdk.XunitException e)
        {
            lost = "some";
            broken.Add($"cycle {cycle} ({fault}): {e.Message}");
        }

        output.WriteLine($"cycle {cycle}/{cycles}: {victim.Name} (hosting {hosted} of the 6 watchlists): {fault}; " +
            $"unreachable at +{Seconds(detected - cutAt)} s, downed at +{Seconds(downed - cutAt)} s, writes on every watchlist back at +{Seconds(writesBack - cutAt)} s (probe +{Probe(ledger, cutAt)} s); " +
            $"{victim.Name} stopped serving at +{fencedAt} s ({reason}), exited at +{Seconds(exitedAt!.Value - cutAt)} s; healed at +{Seconds(healedAt - cutAt)} s");
        output.WriteLine($"answers: {ledger.Summary()}; after the cut {failed} requests failed ({failedViaVictim} through {victim.Name}); " +
            $"{victim.Name} acknowledged {victimAcknowledged.Count}, the last at +{Seconds((victimAcknowledged.LastOrDefault()?.At ?? cutAt) - cutAt)} s, {late.Count} of them after it was downed");
        // One line per cycle for deploy/partition.sh.
        output.WriteLine($"PARTITION-CYCLE|{cycle}|{victim.Name} ({hosted}/6 watchlists): {fault}|{Seconds(detected - cutAt)}|{Seconds(downed - cutAt)}|" +
            $"{Seconds(writesBack - cutAt)}|{failed}|{late.Count}|{lost}|{Probe(ledger, cutAt)}");

        await victim.StartAsync();
        await cluster.WaitAllReadyAsync();
        return broken;
    }

    /// <summary>
    /// When the node's log says it stopped serving (NodeFence), in seconds after <paramref name="cut"/> (both on this
    /// host's wall clock), and why; "?" when it never said so.
    /// </summary>
    private static (string At, string Reason) FenceTime(string log, DateTime cut)
    {
        const string marker = "stops serving: ";
        var line = log.Split('\n').FirstOrDefault(l => l.Contains(marker, StringComparison.Ordinal));
        if (line is null)
        {
            return ("?", "no fence line in its log");
        }

        var reason = line[(line.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..].Split('.')[0];
        return DateTime.TryParse(line.Split(' ')[0], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
            ? (Seconds(at - cut), reason)
            : ("?", reason);
    }

    /// <summary>
    /// When A (always on the majority side) saw <paramref name="victim"/> unreachable, when A counted it down (two members
    /// up), and when every watchlist had a write acknowledged through the majority that was sent after that.
    /// </summary>
    private async Task<(TimeSpan Detected, TimeSpan Downed, TimeSpan WritesBack)> FailoverAsync(WriteLedger ledger, ClusterNode victim, TimeSpan since)
    {
        Assert.True(await Eventually.TrueWithin(FailoverBound, async () => (await PartitionCluster.MembershipAsync(cluster.A)).Unreachable >= 1),
            $"A never saw {victim.Name} unreachable");
        var detected = ledger.Now;
        Assert.True(await Eventually.TrueWithin(FailoverBound, async () => (await PartitionCluster.MembershipAsync(cluster.A)).Up == 2),
            $"A still counts {victim.Name} as up");
        var downed = ledger.Now;
        Assert.True(await Eventually.TrueWithin(FailoverBound, () => WritesBack(ledger, victim, downed) is not null),
            "writes did not resume on every watchlist");
        return (detected, downed, WritesBack(ledger, victim, downed)!.Value);
    }

    /// <summary>
    /// When every watchlist had a write acknowledged through the majority (not through <paramref name="victim"/>, which
    /// may still answer for a moment) that was sent after <paramref name="since"/>; null while one has none.
    /// </summary>
    private static TimeSpan? WritesBack(WriteLedger ledger, ClusterNode victim, TimeSpan since) =>
        ledger.AllWatchlistsAcknowledgedAfter(since, notVia: victim.Name);

    /// <summary>Samples every node's view of the membership for <paramref name="window"/>: the fewest Up and the most unreachable any node reported.</summary>
    private async Task<(int FewestUp, int MostUnreachable)> ObserveMembershipAsync(TimeSpan window)
    {
        var fewestUp = 3;
        var mostUnreachable = 0;
        var until = DateTime.UtcNow + window;
        using var every = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        while (DateTime.UtcNow < until && await every.WaitForNextTickAsync())
        {
            foreach (var node in cluster.Nodes)
            {
                Assert.True(node.IsRunning, $"{node.Name} exited on the slow, lossy network. Output:\n{Tail(node.Process.Output)}");
                var (up, unreachable) = await PartitionCluster.MembershipAsync(node);
                if (up >= 0)
                {
                    fewestUp = Math.Min(fewestUp, up);
                    mostUnreachable = Math.Max(mostUnreachable, unreachable);
                }
            }
        }

        return (fewestUp, mostUnreachable);
    }

    /// <summary>The ledger's time when <paramref name="process"/> exits by itself, or null if it has not within a few failovers.</summary>
    private static async Task<TimeSpan?> ExitTimeAsync(WriteLedger ledger, GatewayProcess process) =>
        await process.WaitForExitAsync(3 * FailoverBound) ? ledger.Now : null;

    /// <summary>Seconds from <paramref name="since"/> until the probe had an acknowledgement on every watchlist, or "-".</summary>
    private static string Probe(WriteLedger ledger, TimeSpan since) =>
        ledger.ProbesBackAfter(since) is { } back ? Seconds(back - since) : "-";

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);

    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(40));
}
