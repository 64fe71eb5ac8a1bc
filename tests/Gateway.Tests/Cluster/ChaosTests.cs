using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using ActorQuotes.Gateway.Tests.Infrastructure;

namespace ActorQuotes.Gateway.Tests.Cluster;

/// <summary>
/// Issue 21's chaos run: writers with Idempotency-Keys through every gateway (A 7203, B AAPL, C 6758) into six
/// watchlists of one user, through cycles of freeze and wake of a watchlists node, <c>kill -9</c> of one, and a
/// rolling restart of all three. After each fault: writes resumed through every gateway on every watchlist, every
/// acknowledged write is in the history in order and the state is the last of them, and a downed node answered no
/// 2xx. Each fault gets a fresh user and watchlists, so a long run never outgrows a history read.
/// <c>AQ_CHAOS_CYCLES</c> sets the cycles (default 1); <c>AQ_CHAOS_REPORT</c> names a file that gets one
/// tab-separated line per fault (deploy/chaos.sh prints it as a table). Timings are printed, never asserted.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ChaosTests(TestCluster cluster, ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>The tab-separated columns of <c>AQ_CHAOS_REPORT</c>, in order (seconds are after the fault).</summary>
    public const string ReportHeader =
        "cycle\tfault\tvictim\tvictim_watchlists\tdetected_s\tdowned_s\twrites_back_s\tlongest_gap_s\texited_s\tready_s\trequests\tfailed\tfailed_via_victim\tacknowledged\tlost\treordered\tlate_2xx";

    /// <summary>Each wait of a cycle (failover, exit, progress): generous for a loaded 2-core machine, never a measurement.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private const int Watchlists = 6;

    private static readonly (string Node, string Symbol)[] Writers = [("A", "7203"), ("B", "AAPL"), ("C", "6758")];

    private const string ProbeSymbol = "MSFT";

    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);

    public async ValueTask InitializeAsync() => await cluster.EnsureAllRunningAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact(DisplayName = "A chaos run of freeze and wake, kill -9 and rolling restarts, with writers through every gateway, loses no acknowledged write and no downed node answers 2xx")]
    public async Task Chaos_run_loses_no_acknowledged_write()
    {
        var cycles = int.TryParse(Environment.GetEnvironmentVariable("AQ_CHAOS_CYCLES"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;
        var report = Environment.GetEnvironmentVariable("AQ_CHAOS_REPORT");
        output.WriteLine($"{cycles} cycle(s) of freeze/wake, kill -9 and rolling restart");
        var rows = new List<Row>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            for (var cycle = 1; cycle <= cycles; cycle++)
            {
                rows.Add(await RunFaultAsync(cycle, Fault.Freeze, victim: null, report));
                rows.Add(await RunFaultAsync(cycle, Fault.Kill, victim: null, report));
                foreach (var node in cluster.Nodes)
                {
                    rows.Add(await RunFaultAsync(cycle, Fault.Rolling, node, report));
                }
            }

            // Every acknowledged id allocation survives too: the id sequences recover from the journal after the faults
            // moved them, and a new user's watchlists must get ids no one was given before (a reused id answers 409).
            await using var after = await WriteLedger.CreateAsync(cluster.A, "chaos", Watchlists);
            output.WriteLine($"after the run, a new user's watchlists got fresh ids {string.Join(",", after.Watchlists)}");
        }
        catch (Exception)
        {
            await KeepLogsAsync();
            throw;
        }

        if (Environment.GetEnvironmentVariable("AQ_KEEP_NODE_LOGS") == "1")
        {
            await KeepLogsAsync();
        }

        output.WriteLine(
            $"totals: {rows.Count} faults, {rows.Sum(r => r.Requests)} requests, {rows.Sum(r => r.Failed)} failed ({rows.Sum(r => r.FailedViaVictim)} through the victim), " +
            $"{rows.Sum(r => r.Acknowledged)} acknowledged, {rows.Sum(r => r.Lost)} lost, {rows.Sum(r => r.Reordered)} reordered, {rows.Sum(r => r.Late)} late 2xx; " +
            $"{clock.Elapsed.TotalMinutes:F1} min");
    }

    /// <summary>One fault on one node under three writers, measured, then checked; the cluster is whole again afterwards.</summary>
    private async Task<Row> RunFaultAsync(int cycle, Fault fault, ClusterNode? victim, string? report)
    {
        // Freeze and kill hit a watchlists node and A watches; a rolling restart's victim is watched by the next node.
        var observer = victim is null || victim != cluster.A ? cluster.A : cluster.B;
        await using var ledger = await WriteLedger.CreateAsync(observer, "chaos", Watchlists);
        var homes = await WatchlistHomesAsync(observer, ledger);
        victim ??= PickWatchlistsVictim(homes, cycle);
        var hosted = homes.Count(h => h.Value == victim.Name);

        foreach (var (node, symbol) in Writers)
        {
            ledger.StartWriter(cluster.Nodes.Single(x => x.Name == node), symbol);
        }

        // The probe measures when writes came back to within its interval; the writers above only in steps of the ask timeout.
        ledger.StartProbe(observer, ProbeSymbol, ProbeInterval);

        var started = ledger.Now;
        await AssertEveryGatewayWritesEveryWatchlistAsync(ledger, started, "before the fault");

        await using var watch = await ClusterWatch.OpenAsync(observer, () => ledger.Now);
        var address = victim.AkkaAddress;
        var faultAt = ledger.Now;
        TimeSpan? detectedAt, downedAt, exitedAt = null, restartAt = null;

        // Writes back are counted from the moment the fault has hold (the process stopped, or gone): a write the victim
        // answered while kill(1) was still on its way proves nothing.
        var heldAt = faultAt;
        try
        {
            switch (fault)
            {
                case Fault.Freeze:
                    await victim.Process.FreezeAsync();
                    heldAt = ledger.Now;
                    try
                    {
                        detectedAt = await watch.WaitForAsync(address, faultAt, Bound, "unreachable");
                        downedAt = await watch.WaitForAsync(address, faultAt, Bound, "member_downed", "member_removed");
                        Assert.True(downedAt is not null, $"{observer.Name} did not see frozen {victim.Name} downed within {Bound.TotalSeconds} s:\n{watch.Log()}");
                    }
                    finally
                    {
                        await victim.Process.ThawAsync();
                    }

                    var thawedAt = ledger.Now;
                    Assert.True(await victim.Process.WaitForExitAsync(Bound), $"{victim.Name} kept running after SIGCONT");
                    exitedAt = ledger.Now;
                    output.WriteLine($"  {victim.Name} exited by itself {(exitedAt - thawedAt).Value.TotalSeconds:F1} s after SIGCONT");
                    break;
                case Fault.Kill:
                    victim.Process.Kill();
                    exitedAt = heldAt = ledger.Now;
                    detectedAt = await watch.WaitForAsync(address, faultAt, Bound, "unreachable");
                    downedAt = await watch.WaitForAsync(address, faultAt, Bound, "member_downed", "member_removed");
                    Assert.True(downedAt is not null, $"{observer.Name} did not see killed {victim.Name} downed within {Bound.TotalSeconds} s:\n{watch.Log()}");
                    break;
                default:
                    // SIGTERM: hand-off, leave, exit. Its peers see it leave, then removed; no downing.
                    await victim.Process.StopAsync();
                    exitedAt = heldAt = ledger.Now;
                    detectedAt = await watch.WaitForAsync(address, faultAt, Bound, "member_left", "member_exited", "member_removed");
                    downedAt = await watch.WaitForAsync(address, faultAt, Bound, "member_removed");
                    Assert.True(downedAt is not null, $"{observer.Name} did not see {victim.Name} removed within {Bound.TotalSeconds} s:\n{watch.Log()}");
                    break;
            }

            // Writes sent after the fault took hold are acknowledged on every watchlist, the victim's ones by their new host.
            Assert.True(await Eventually.TrueWithin(Bound, () => ledger.AllWatchlistsAcknowledgedAfter(heldAt) is not null),
                $"writes did not come back on every watchlist after {fault} of {victim.Name}; answers: {ledger.Summary()}");

            restartAt = ledger.Now;
            await victim.StartAsync();
            await cluster.WaitAllReadyAsync();
        }
        finally
        {
            // A failed cycle leaves no frozen or half-dead victim behind for the next test: it kills it, and that test restarts it.
            if (restartAt is null && victim.IsRunning)
            {
                await victim.Process.ThawAsync();
                victim.Process.Kill();
            }
        }

        var readyAt = ledger.Now;
        await AssertEveryGatewayWritesEveryWatchlistAsync(ledger, readyAt, $"after {fault} of {victim.Name}");
        var resumedAt = ledger.Now;
        await ledger.StopAsync();

        // A downed node must not have acknowledged anything after it was downed (its restarted successor may). Only
        // requests sent once the fault had taken hold count: a frozen node's answer decided before SIGSTOP reaches
        // the client after SIGCONT (WriteLedger.AcknowledgedAfter), and that write was durable when decided.
        var late = ledger.Answers.Where(a => a.Via == victim.Name && a.Ok && a.At > downedAt!.Value && a.Sent >= heldAt && a.Sent < restartAt!.Value).ToList();
        var afterFault = ledger.Answers.Where(a => a.Sent >= faultAt).ToList();
        var check = await ledger.CheckAsync(observer);
        var row = new Row(cycle, fault, victim.Name, hosted,
            detectedAt - faultAt, downedAt!.Value - faultAt, ledger.AllWatchlistsAcknowledgedAfter(heldAt)!.Value - faultAt, ledger.ProbesBackAfter(heldAt) - faultAt,
            LongestGap(ledger, faultAt, resumedAt), exitedAt - faultAt, readyAt - faultAt,
            afterFault.Count, afterFault.Count(a => !a.Ok), afterFault.Count(a => !a.Ok && a.Via == victim.Name),
            check.Acknowledged, check.Missing, check.Reordered + check.WrongStates, late.Count);
        output.WriteLine(row.Describe());
        output.WriteLine($"  answers: {ledger.Summary()}");
        if (report is not null)
        {
            await File.AppendAllTextAsync(report, row.Tsv() + "\n");
        }

        Assert.True(check.Problems.Count == 0, string.Join("\n", check.Problems));
        if (fault != Fault.Rolling)
        {
            Assert.True(late.Count == 0, $"{victim.Name} answered {late.Count} writes with 2xx after it was downed, the first at {late.FirstOrDefault()?.At.TotalSeconds:F1} s (downed at {downedAt!.Value.TotalSeconds:F1} s)");
        }

        return row;
    }

    /// <summary>Keeps every node process's output of the run (<see cref="NodeLogs"/>) and the id sequences' journal beside it.</summary>
    private async Task KeepLogsAsync()
    {
        var folder = await NodeLogs.KeepAsync("chaos", cluster.Nodes, output);
        await DumpJournalAsync(Path.Combine(folder, "journal-id-sequences.tsv"));
    }

    /// <summary>
    /// Writes the id sequences' journal rows (who wrote which sequence number, when) next to the logs. The database
    /// belongs to the fixture; its connection string is read from a running node's command line.
    /// </summary>
    private async Task DumpJournalAsync(string file)
    {
        const string Setting = "--Storage:ConnectionString=";
        var node = cluster.Nodes.FirstOrDefault(n => n.IsRunning);
        if (node is null)
        {
            return;
        }

        try
        {
            var arguments = (await File.ReadAllTextAsync($"/proc/{node.Process.ProcessId}/cmdline")).Split('\0');
            var connectionString = arguments.FirstOrDefault(a => a.StartsWith(Setting, StringComparison.Ordinal))?[Setting.Length..];
            if (connectionString is null)
            {
                return;
            }

            await using var connection = new Npgsql.NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var query = new Npgsql.NpgsqlCommand(
                "SELECT j.* FROM journal j WHERE j::text LIKE '%id-sequence-%' ORDER BY 1", connection);
            await using var reader = await query.ExecuteReaderAsync();
            var lines = new List<string> { string.Join('\t', Enumerable.Range(0, reader.FieldCount).Select(reader.GetName)) };
            while (await reader.ReadAsync())
            {
                lines.Add(string.Join('\t', Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetValue(i) is byte[] bytes
                    ? System.Text.Encoding.UTF8.GetString(bytes)
                    : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
            }

            await File.WriteAllLinesAsync(file, lines);
            output.WriteLine($"id sequences' journal: {file}");
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or IOException or InvalidOperationException)
        {
            output.WriteLine($"the journal could not be read: {e.Message}");
        }
    }

    /// <summary>Bounded: each writer has an acknowledgement on every watchlist for a write sent after <paramref name="since"/>.</summary>
    private async Task AssertEveryGatewayWritesEveryWatchlistAsync(WriteLedger ledger, TimeSpan since, string when)
    {
        foreach (var (node, _) in Writers)
        {
            Assert.True(await Eventually.TrueWithin(Bound, () => ledger.AllWatchlistsAcknowledgedAfter(since, via: node) is not null),
                $"writes through {node} did not reach every watchlist {when}; answers: {ledger.Summary()}");
        }
    }

    /// <summary>The longest time any watchlist went without an acknowledged write, from the fault until writes resumed everywhere.</summary>
    private static TimeSpan LongestGap(WriteLedger ledger, TimeSpan from, TimeSpan to) =>
        ledger.Watchlists.Max(id =>
        {
            var acknowledged = ledger.Answers.Where(a => a.Ok && a.WatchlistId == id && a.At >= from && a.At <= to).Select(a => a.At).Order().Prepend(from).ToList();
            return acknowledged.Zip(acknowledged.Skip(1), (earlier, later) => later - earlier).DefaultIfEmpty(to - from).Max();
        });

    /// <summary>The watchlists node that hosts more of this ledger's watchlists (on a tie, B and C take turns).</summary>
    private ClusterNode PickWatchlistsVictim(IReadOnlyDictionary<long, string> homes, int cycle)
    {
        var onB = homes.Count(h => h.Value == "B");
        var onC = homes.Count(h => h.Value == "C");
        return onB > onC ? cluster.B : onC > onB ? cluster.C : cycle % 2 == 1 ? cluster.B : cluster.C;
    }

    /// <summary>Which node hosts each watchlist of the ledger, as <c>aq shard locate</c> finds it; a watchlist not found is left out.</summary>
    internal static async Task<IReadOnlyDictionary<long, string>> WatchlistHomesAsync(ClusterNode via, WriteLedger ledger, TestCluster cluster)
    {
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{via.AdminPort}"), Timeout = TimeSpan.FromSeconds(30) };
        admin.DefaultRequestHeaders.Add("X-Admin-Key", TestCluster.AdminKey);
        var homes = new Dictionary<long, string>();
        foreach (var id in ledger.Watchlists)
        {
            try
            {
                using var response = await admin.GetAsync($"/admin/v1/sharding/regions/watchlist/entities/{id}");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var node = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["node"]!.GetValue<string>();
                    if (cluster.Nodes.FirstOrDefault(n => n.AkkaAddress == node) is { } home)
                    {
                        homes[id] = home.Name;
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // unknown home: the victim is picked from the others
            }
        }

        return homes;
    }

    private Task<IReadOnlyDictionary<long, string>> WatchlistHomesAsync(ClusterNode via, WriteLedger ledger) => WatchlistHomesAsync(via, ledger, cluster);

    private enum Fault
    {
        Freeze,
        Kill,
        Rolling,
    }

    /// <summary>One fault's figures; times are after the fault (null: not seen).</summary>
    private sealed record Row(
        int Cycle, Fault Fault, string Victim, int VictimWatchlists,
        TimeSpan? Detected, TimeSpan Downed, TimeSpan WritesBack, TimeSpan? ProbeBack, TimeSpan LongestGap, TimeSpan? Exited, TimeSpan Ready,
        int Requests, int Failed, int FailedViaVictim, int Acknowledged, int Lost, int Reordered, int Late)
    {
        private string Name => Fault switch
        {
            Fault.Freeze => "freeze/wake",
            Fault.Kill => "kill -9",
            _ => "rolling restart",
        };

        public string Describe() =>
            $"cycle {Cycle} {Name} of {Victim} (hosting {VictimWatchlists} of {Watchlists} watchlists): " +
            $"{(Fault == Fault.Rolling ? "seen leaving" : "unreachable")} {Seconds(Detected)} s, {(Fault == Fault.Rolling ? "removed" : "downed")} {Seconds(Downed)} s, " +
            $"writes back on every watchlist {Seconds(WritesBack)} s (probe {Seconds(ProbeBack)} s, longest gap on one {Seconds(LongestGap)} s), exited {Seconds(Exited)} s, all ready again {Seconds(Ready)} s; " +
            $"{Requests} requests, {Failed} failed ({FailedViaVictim} through {Victim}), {Acknowledged} acknowledged, {Lost} lost, {Reordered} reordered, {Late} late 2xx";

        public string Tsv() => string.Join('\t',
            Cycle.ToString(CultureInfo.InvariantCulture), Name, Victim, VictimWatchlists.ToString(CultureInfo.InvariantCulture),
            Seconds(Detected), Seconds(Downed), Seconds(WritesBack), Seconds(LongestGap), Seconds(Exited), Seconds(Ready),
            Requests.ToString(CultureInfo.InvariantCulture), Failed.ToString(CultureInfo.InvariantCulture), FailedViaVictim.ToString(CultureInfo.InvariantCulture),
            Acknowledged.ToString(CultureInfo.InvariantCulture), Lost.ToString(CultureInfo.InvariantCulture), Reordered.ToString(CultureInfo.InvariantCulture),
            Late.ToString(CultureInfo.InvariantCulture), Seconds(ProbeBack));

        private static string Seconds(TimeSpan? value) => value is { } v ? v.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) : "-";
    }
}
