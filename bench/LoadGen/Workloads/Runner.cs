using System.Diagnostics;
using ActorQuotes.Bench.LoadGen.Measurement;
using ActorQuotes.Bench.LoadGen.Servers;

namespace ActorQuotes.Bench.LoadGen.Workloads;

/// <summary>Sizes and durations of a run: the issue's figures, or smaller ones for <c>--quick</c>.</summary>
public sealed record Profile(
    int W1Sockets, int W1Symbols, int W2Sockets, int W2Symbols, int W2Subscriptions, int W3Sockets,
    TimeSpan Warmup, TimeSpan Window, double RampFactor, int MaxSteps, int Refinements, double StartUpdatesPerSecond,
    bool RetryFailedSteps, TimeSpan LateFrameGrace)
{
    public static readonly Profile Full = new(1000, 100, 5000, 1000, 20, 10_000,
        TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), 1.5, 12, 1, 20_000, true, TimeSpan.FromSeconds(1));

    public static readonly Profile Quick = new(200, 100, 1000, 1000, 20, 1000,
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.5), 2.0, 3, 0, 10_000, false, TimeSpan.FromSeconds(0.5));

    /// <summary>The stalled share of sockets in W4.</summary>
    public const double StalledShare = 0.01;
}

/// <summary>
/// Runs the workloads on the servers, in the order B0, SUT, B1 (W1's latency point and W4 run at half of
/// B0's W1 saturation, so B0 goes first), then W5 on a two-node SUT.
/// </summary>
public sealed class Runner(ServerSettings settings, Profile profile, Action<string> log)
{
    public const double MinDeliveryRatio = 0.99;
    public static readonly TimeSpan MaxP99 = TimeSpan.FromMilliseconds(100);
    private const int ConnectParallelism = 32;
    private const int FeedSockets = 4;


    private double? _halfLoadTicks;

    public async Task RunAsync(RunResult run, IReadOnlyCollection<string> workloads, IReadOnlyList<ServerKind> servers,
        Func<CancellationToken, Task<string>>? postgres, CancellationToken cancellationToken)
    {
        var symbols = BenchCatalog.Symbols(profile.W2Symbols);
        foreach (var kind in servers.OrderBy(k => k switch { ServerKind.B0 => 0, ServerKind.Sut => 1, _ => 2 }))
        {
            var name = kind switch { ServerKind.B0 => "B0", ServerKind.B1 => "B1", _ => "SUT" };
            if (workloads.Overlaps("W1", "W2", "W4"))
            {
                await using var target = await Target.StartAsync(kind, settings, cancellationToken);
                log($"{name}: started (pid {target.Sockets.Pid})");
                if (workloads.Overlaps("W1", "W4"))
                {
                    var (w1, w4) = await BroadcastAsync(target, symbols[..profile.W1Symbols], workloads.Contains("W1"), workloads.Contains("W4"), cancellationToken);
                    AddIf(run, w1);
                    AddIf(run, w4);
                }

                if (workloads.Contains("W2"))
                {
                    run.Results.Add(await SelectiveAsync(target, symbols, cancellationToken));
                }
            }

            if (workloads.Contains("W3"))
            {
                await using var target = await Target.StartAsync(kind, settings, cancellationToken);
                run.Results.Add(await IdleAsync(target, symbols[..profile.W1Symbols], cancellationToken));
            }
        }

        if (workloads.Contains("W5") && servers.Contains(ServerKind.Sut))
        {
            if (postgres is null)
            {
                run.Results.Add(new WorkloadResult { Workload = "W5", Server = "SUT-2node", Notes = { "skipped: no PostgreSQL" } });
                return;
            }

            var result = new WorkloadResult { Workload = "W5", Server = "SUT-2node", Sockets = profile.W1Sockets, Symbols = profile.W1Symbols, SubscriptionsPerSocket = profile.W1Symbols };
            try
            {
                var connectionString = await postgres(cancellationToken);
                await using var target = await Target.StartTwoNodesAsync(settings, connectionString, cancellationToken);
                log("SUT-2node: started");
                var (w1, _) = await BroadcastAsync(target, symbols[..profile.W1Symbols], true, false, cancellationToken);
                result = w1!;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                result.Notes.Add("failed: " + e.Message.Split('\n')[0]);
                log("W5 failed: " + e);
            }

            run.Results.Add(result);
        }
    }

    private static void AddIf(RunResult run, WorkloadResult? result)
    {
        if (result is not null)
        {
            run.Results.Add(result);
        }
    }

    /// <summary>W1 (ramp to saturation, then the half-load latency window) and W4 (the same sockets, 1 % stalled).</summary>
    private async Task<(WorkloadResult? W1, WorkloadResult? W4)> BroadcastAsync(Target target, string[] symbols, bool w1, bool w4, CancellationToken ct)
    {
        var workload = target.Name == "SUT-2node" ? "W5" : "W1";
        var recorder = new LatencyRecorder();
        var subscriptions = Enumerable.Range(0, profile.W1Sockets).Select(_ => (IReadOnlyList<string>)symbols).ToArray();
        var clients = await ConnectAllAsync(target, subscriptions, recorder, ct);
        var everyone = Enumerable.Repeat(profile.W1Sockets, symbols.Length).ToArray();
        await using var feed = await FeedDriver.ConnectAsync(target.Feed.Endpoint, ServerSettings.FeedKey, symbols, BenchCatalog.Closes(symbols.Length), everyone, FeedSockets, ct);
        await feed.PrimeAsync(ct);
        feed.Start();
        WorkloadResult? result1 = null, result4 = null;
        try
        {
            var fanout = (double)profile.W1Sockets;
            if (w1)
            {
                result1 = new WorkloadResult { Workload = workload, Server = target.Name, Sockets = profile.W1Sockets, Symbols = symbols.Length, SubscriptionsPerSocket = symbols.Length };
                await RampAsync(target, feed, recorder, fanout, result1, ct);
                if (target.Kind == ServerKind.B0 && workload == "W1")
                {
                    _halfLoadTicks = result1.SaturationTicksPerSecond / 2;
                }

                var half = _halfLoadTicks ?? (result1.SaturationTicksPerSecond is > 0 and var sat ? sat / 2 : result1.Steps[0].TargetTicksPerSecond / 2);
                result1.HalfLoad = await MeasureAsync(target, feed, recorder, half, "half of B0 saturation", ct);
                result1.Steps.Add(result1.HalfLoad);
            }

            if (w4)
            {
                result4 = new WorkloadResult { Workload = "W4", Server = target.Name, Sockets = profile.W1Sockets, Symbols = symbols.Length, SubscriptionsPerSocket = symbols.Length };
                var half = _halfLoadTicks ?? profile.StartUpdatesPerSecond / fanout / 2;
                result4.AllReading = await MeasureAsync(target, feed, recorder, half, "all reading", ct);
                var stalled = clients.Take(Math.Max(1, (int)(clients.Length * Profile.StalledShare))).ToArray();
                foreach (var client in stalled)
                {
                    client.Stall();
                }

                // Let the stalled sockets' buffers fill before measuring the readers.
                await Task.Delay(profile.Warmup, ct);
                feed.SetSubscribers(Enumerable.Repeat(profile.W1Sockets - stalled.Length, symbols.Length).ToArray());
                result4.WithStalled = await MeasureAsync(target, feed, recorder, half, $"{stalled.Length} stalled", ct);
                result4.Steps.Add(result4.AllReading);
                result4.Steps.Add(result4.WithStalled);
                foreach (var client in stalled)
                {
                    client.Abort();
                }
            }
        }
        finally
        {
            feed.SetRate(0);
            await CloseAllAsync(clients);
        }

        return (result1, result4);
    }

    /// <summary>W2: 1,000 symbols, sockets with 20 random subscriptions each; ramp to saturation.</summary>
    private async Task<WorkloadResult> SelectiveAsync(Target target, string[] symbols, CancellationToken ct)
    {
        var random = new Random(7);
        var subscriptions = Enumerable.Range(0, profile.W2Sockets)
            .Select(_ => (IReadOnlyList<string>)random.GetItems(symbols, profile.W2Subscriptions * 2).Distinct().Take(profile.W2Subscriptions).ToArray())
            .ToArray();
        var recorder = new LatencyRecorder();
        var clients = await ConnectAllAsync(target, subscriptions, recorder, ct);
        var followers = symbols.Select(s => subscriptions.Count(list => list.Contains(s))).ToArray();
        await using var feed = await FeedDriver.ConnectAsync(target.Feed.Endpoint, ServerSettings.FeedKey, symbols, BenchCatalog.Closes(symbols.Length), followers, FeedSockets, ct);
        await feed.PrimeAsync(ct);
        feed.Start();
        var result = new WorkloadResult { Workload = "W2", Server = target.Name, Sockets = profile.W2Sockets, Symbols = symbols.Length, SubscriptionsPerSocket = profile.W2Subscriptions };
        try
        {
            var fanout = subscriptions.Sum(s => s.Count) / (double)symbols.Length;
            await RampAsync(target, feed, recorder, fanout, result, ct);
        }
        finally
        {
            feed.SetRate(0);
            await CloseAllAsync(clients);
        }

        return result;
    }

    /// <summary>W3: many sockets, one symbol each, 1 tick/s in total; RSS growth per socket.</summary>
    private async Task<WorkloadResult> IdleAsync(Target target, string[] symbols, CancellationToken ct)
    {
        var result = new WorkloadResult { Workload = "W3", Server = target.Name, Sockets = profile.W3Sockets, Symbols = symbols.Length, SubscriptionsPerSocket = 1 };
        var recorder = new LatencyRecorder();
        var followers = Enumerable.Range(0, symbols.Length).Select(i => profile.W3Sockets / symbols.Length + (i < profile.W3Sockets % symbols.Length ? 1 : 0)).ToArray();
        await using var feed = await FeedDriver.ConnectAsync(target.Feed.Endpoint, ServerSettings.FeedKey, symbols, BenchCatalog.Closes(symbols.Length), followers, FeedSockets, ct);
        await feed.PrimeAsync(ct);
        feed.Start();
        feed.SetRate(1);

        // One socket first, so the per-socket figure leaves out what the first socket of a kind warms up.
        var warm = await target.ConnectAsync([symbols[0]], recorder, ct);
        await Task.Delay(profile.Warmup, ct);
        var before = target.RssBytes();
        var subscriptions = Enumerable.Range(0, profile.W3Sockets).Select(i => (IReadOnlyList<string>)[symbols[i % symbols.Length]]).ToArray();
        var cpu0 = target.CpuSeconds();
        var clients = await ConnectAllAsync(target, subscriptions, recorder, ct);
        try
        {
            await Task.Delay(profile.Warmup, ct);
            var watch = Stopwatch.StartNew();
            recorder.Open(DateTime.UtcNow.Ticks, DateTime.UtcNow.Ticks + profile.Window.Ticks);
            await Task.Delay(profile.Window + profile.LateFrameGrace, ct);
            recorder.Recording = false;
            var after = target.RssBytes();
            result.RssPerSocketBytes = (after - before) / (double)profile.W3Sockets;
            result.Steps.Add(new StepResult("idle", 1, 1, 0, recorder.Frames / profile.Window.TotalSeconds, 1, recorder.Summary(),
                target.CpuSeconds() - cpu0, 0, after, after, 0, 0, true));
            result.Notes.Add($"RSS {before / 1048576.0:F1} MiB with 1 socket, {after / 1048576.0:F1} MiB with {profile.W3Sockets + 1}");
            log($"{target.Name} W3: {result.RssPerSocketBytes / 1024:F1} KiB per idle socket");
        }
        finally
        {
            await CloseAllAsync([.. clients, warm]);
        }

        return result;
    }

    /// <summary>Raises the offered rate step by step until a window fails, then refines between the last pass and the failure.</summary>
    private async Task RampAsync(Target target, FeedDriver feed, LatencyRecorder recorder, double fanout, WorkloadResult result, CancellationToken ct)
    {
        var rate = profile.StartUpdatesPerSecond / fanout;
        double? lastPass = null, firstFail = null;
        for (var step = 0; step < profile.MaxSteps; step++)
        {
            var window = await MeasureAsync(target, feed, recorder, rate, "ramp", ct);
            result.Steps.Add(window);
            if (!window.Passed && profile.RetryFailedSteps)
            {
                // The machine is shared: one bad window may be someone else's build. A rate fails when it fails twice.
                window = await MeasureAsync(target, feed, recorder, rate, "ramp (again)", ct);
                result.Steps.Add(window);
            }

            if (!window.Passed)
            {
                firstFail = rate;
                break;
            }

            lastPass = rate;
            rate *= profile.RampFactor;
        }

        for (var i = 0; i < profile.Refinements && lastPass is { } pass && firstFail is { } fail; i++)
        {
            var middle = Math.Sqrt(pass * fail);
            var window = await MeasureAsync(target, feed, recorder, middle, "refine", ct);
            result.Steps.Add(window);
            if (window.Passed)
            {
                lastPass = middle;
            }
            else
            {
                firstFail = middle;
            }
        }

        var best = result.Steps.Where(s => s.Passed).MaxBy(s => s.TargetTicksPerSecond);
        result.SaturationTicksPerSecond = best?.TargetTicksPerSecond ?? 0;
        result.SaturationUpdatesPerSecond = best?.DeliveredUpdatesPerSecond ?? 0;
        if (firstFail is null)
        {
            result.Notes.Add("did not saturate within the ramp: the figure is a lower bound");
        }
    }

    /// <summary>One window: offer <paramref name="ticksPerSecond"/>, let it settle, then measure.</summary>
    private async Task<StepResult> MeasureAsync(Target target, FeedDriver feed, LatencyRecorder recorder, double ticksPerSecond,
        string phase, CancellationToken ct)
    {
        feed.SetRate(ticksPerSecond);
        await Task.Delay(profile.Warmup, ct);
        var skipped0 = feed.Skipped;
        var cpu0 = target.CpuSeconds();
        var ownCpu0 = ServerProcess.ReadCpuSeconds(Environment.ProcessId);
        var maxRss = target.RssBytes();
        var watch = Stopwatch.StartNew();
        var start = DateTime.UtcNow.Ticks;
        var end = start + profile.Window.Ticks;
        recorder.Open(start, end);
        feed.OpenWindow(start, end);
        while (watch.Elapsed < profile.Window)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
            maxRss = Math.Max(maxRss, target.RssBytes());
        }

        var seconds = watch.Elapsed.TotalSeconds;
        var cpu = target.CpuSeconds() - cpu0;
        var ownCpu = ServerProcess.ReadCpuSeconds(Environment.ProcessId) - ownCpu0;
        var cpuSeconds = seconds;

        // Frames of ticks sent at the end of the window may still be on their way.
        await Task.Delay(profile.LateFrameGrace, ct); // later frames count as not delivered
        recorder.Recording = false;
        seconds = profile.Window.TotalSeconds;
        var accepted = feed.WindowAccepted / seconds;
        var delivered = recorder.Frames / seconds;
        var offered = feed.WindowUpdates / seconds;
        var ratio = offered > 0 ? delivered / offered : 0;
        var latency = recorder.Summary();
        var rss = target.RssBytes();
        // The feed sockets pace whole ticks, so a short window may see one tick less per socket.
        var passed = accepted >= ticksPerSecond * 0.97 - FeedSockets / seconds && ratio >= MinDeliveryRatio && latency.P99Ms < MaxP99.TotalMilliseconds;
        var result = new StepResult(phase, Math.Round(ticksPerSecond, 2), Math.Round(accepted, 2), Math.Round(offered), Math.Round(delivered),
            Math.Round(ratio, 4), latency, Math.Round(cpu, 2), Math.Round(cpu / cpuSeconds * 100, 1), rss, Math.Max(maxRss, rss),
            feed.Skipped - skipped0, Math.Round(ownCpu / cpuSeconds * 100, 1), passed);
        log($"{target.Name} {phase}: {ticksPerSecond:F1} ticks/s offered, {accepted:F1} accepted, {delivered:F0} updates/s delivered " +
            $"(ratio {ratio:F3}), p50 {latency.P50Ms} ms p99 {latency.P99Ms} ms max {latency.MaxMs} ms, CPU {cpu / cpuSeconds * 100:F0} % " +
            $"({result.CpuMicrosPerUpdate} µs/update), generator CPU {ownCpu / cpuSeconds * 100:F0} %, RSS {rss / 1048576} MiB{(passed ? string.Empty : "  -> saturated")}");
        return result;
    }

    private async Task<IQuoteClient[]> ConnectAllAsync(Target target, IReadOnlyList<IReadOnlyList<string>> subscriptions, LatencyRecorder recorder, CancellationToken ct)
    {
        var clients = new IQuoteClient[subscriptions.Count];
        var watch = Stopwatch.StartNew();
        await Parallel.ForAsync(0, subscriptions.Count, new ParallelOptions { MaxDegreeOfParallelism = ConnectParallelism, CancellationToken = ct },
            async (i, token) => clients[i] = await target.ConnectAsync(subscriptions[i], recorder, token));
        log($"{target.Name}: {clients.Length} sockets subscribed in {watch.Elapsed.TotalSeconds:F1} s");
        return clients;
    }

    private static async Task CloseAllAsync(IReadOnlyList<IQuoteClient?> clients)
    {
        await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (client, _) =>
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }
        });
    }
}

internal static class SetExtensions
{
    public static bool Overlaps(this IReadOnlyCollection<string> set, params string[] items) => items.Any(set.Contains);
}
