using System.Diagnostics;
using ActorQuotes.Bench.LoadGen.Measurement;
using ActorQuotes.Bench.LoadGen.Servers;

namespace ActorQuotes.Bench.LoadGen.Workloads;

/// <summary>
/// Sizes and durations of a run: the issue's figures, or smaller ones for <c>--quick</c>.
/// <c>LatencyWindows</c>: windows behind each latency figure (W1's and W5's half-load point, each W4
/// phase); the figure is the window with the median p99.
/// </summary>
public sealed record Profile(
    int W1Sockets, int W1Symbols, int W2Sockets, int W2Symbols, int W2Subscriptions, int W3Sockets,
    TimeSpan Warmup, TimeSpan Window, double RampFactor, int MaxSteps, int Refinements, double StartUpdatesPerSecond,
    bool RetryFailedSteps, TimeSpan LateFrameGrace, int LatencyWindows, bool W5SplitLane, TimeSpan ProcessWarmup)
{
    public static readonly Profile Full = new(1000, 100, 5000, 1000, 20, 10_000,
        TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), 1.6, 14, 3, 5_000, true, TimeSpan.FromSeconds(1), 5, true, TimeSpan.FromSeconds(60));

    // No process warm-up: --quick must stay under 3 minutes, and it checks that everything runs, not how fast.
    public static readonly Profile Quick = new(200, 100, 1000, 1000, 20, 1000,
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.5), 2.0, 3, 0, 5_000, false, TimeSpan.FromSeconds(0.5), 1, false, TimeSpan.Zero);

    /// <summary>The load of a fresh server's warm-up (<see cref="ProcessWarmup"/>): a full core for every server here.</summary>
    public const double WarmupUpdatesPerSecond = 150_000;

    /// <summary>The stalled share of sockets in W4.</summary>
    public const double StalledShare = 0.01;
}

/// <summary>
/// Runs the workloads on the servers, in the order B0, SUT, B1 (W1's latency point runs at half of
/// B0's W1 saturation, so B0 goes first), then W5 on a two-node SUT.
/// </summary>
public sealed class Runner(ServerSettings settings, Profile profile, Action<string> log)
{
    public const double MinDeliveryRatio = 0.99;
    public static readonly TimeSpan MaxP99 = TimeSpan.FromMilliseconds(100);
    private const int ConnectParallelism = 32;
    private const int FeedSockets = 4;

    /// <summary>Refinement stops once a server's failing rate is within 5 % of its passing one.</summary>
    private const double RefineResolution = 1.05;

    /// <summary>W5's two-node SUT with both nodes on the servers' core(s).</summary>
    public const string SharedCoreCluster = "SUT-2node";

    /// <summary>W5's two-node SUT with its tickers node on the generator's core(s).</summary>
    public const string SplitCluster = "SUT-2node-split";

    private readonly HashSet<Lane> _openLanes = [];
    private double? _halfLoadTicks;

    /// <summary>
    /// Profiling aid (<c>--hold RATE</c>), after the servers' warm-up. In W1, instead of the ramp, each server in turn is held at this many
    /// ticks/s for <see cref="HoldFor"/>, its pid logged first, so that dotnet-counters or dotnet-trace can
    /// be attached to exactly one loaded server. In W2, instead of the ramp, <see cref="HoldRounds"/> rounds
    /// of one window per server in turn at this rate, each window logged: how often each server has a slow
    /// window at the same load.
    /// </summary>
    public double? HoldTicksPerSecond { get; init; }

    /// <summary>How long a W1 hold lasts without <c>--hold-for</c>.</summary>
    public static readonly TimeSpan DefaultHoldFor = TimeSpan.FromSeconds(30);

    public TimeSpan HoldFor { get; init; } = DefaultHoldFor;

    public int HoldRounds { get; init; } = 10;

    public async Task RunAsync(RunResult run, IReadOnlyCollection<string> workloads, IReadOnlyList<ServerKind> servers,
        Func<CancellationToken, Task<string>>? postgres, CancellationToken cancellationToken)
    {
        var symbols = BenchCatalog.Symbols(profile.W2Symbols);
        var order = servers.OrderBy(k => k switch { ServerKind.B0 => 0, ServerKind.Sut => 1, _ => 2 }).ToArray();
        if (workloads.Overlaps("W1", "W2", "W4"))
        {
            // All servers run side by side and take turns window by window, so that whatever else the
            // machine is doing falls on all of them alike; only the one being measured gets load.
            var targets = new List<Target>();
            try
            {
                foreach (var kind in order)
                {
                    var target = await Target.StartAsync(kind, settings, cancellationToken);
                    targets.Add(target);
                    log($"{target.Name}: started (pid {target.Sockets.Pid})");
                }

                if (workloads.Overlaps("W1", "W4"))
                {
                    await BroadcastAsync(run, targets, symbols[..profile.W1Symbols], workloads.Contains("W1"), workloads.Contains("W4"), cancellationToken);
                }

                if (workloads.Contains("W2"))
                {
                    await SelectiveAsync(run, targets, symbols, cancellationToken);
                }
            }
            finally
            {
                foreach (var target in targets)
                {
                    await target.DisposeAsync();
                }
            }
        }

        if (workloads.Contains("W3"))
        {
            foreach (var kind in order)
            {
                await using var target = await Target.StartAsync(kind, settings, cancellationToken);
                run.Results.Add(await IdleAsync(target, symbols[..profile.W1Symbols], cancellationToken));
            }
        }

        if (workloads.Contains("W5") && servers.Contains(ServerKind.Sut))
        {
            var result = new WorkloadResult { Workload = "W5", Server = SharedCoreCluster, Sockets = profile.W1Sockets, Symbols = profile.W1Symbols, SubscriptionsPerSocket = profile.W1Symbols };
            if (postgres is null)
            {
                result.Notes.Add("skipped: no PostgreSQL (bench/run.sh starts one when the PostgreSQL 15 server binaries are installed)");
                run.Results.Add(result);
                return;
            }

            try
            {
                var connectionString = await postgres(cancellationToken);

                // The two-node cluster takes turns with a fresh single node, as above: once with both nodes on
                // the single node's core (the same CPU budget), and, where the generator has cores of its own,
                // once with the tickers node on the generator's core (each node a core, as deployed).
                await using var single = await Target.StartAsync(ServerKind.Sut, settings, cancellationToken);
                await using var cluster = await Target.StartTwoNodesAsync(settings, connectionString, SharedCoreCluster, null, cancellationToken);
                var lanes = new List<Target> { single, cluster };
                // (Not in --quick, which must stay under 3 minutes.)
                await using var split = profile.W5SplitLane && settings.GeneratorCpus is { } generatorCpus && settings.ServerCpus is { } serverCpus && generatorCpus != serverCpus
                    ? await Target.StartTwoNodesAsync(settings, connectionString, SplitCluster, generatorCpus, cancellationToken)
                    : null;
                if (split is not null)
                {
                    lanes.Add(split);
                }

                log($"W5: {string.Join(", ", lanes.Skip(1).Select(l => l.Name))} started; compared with a fresh single node (SUT-1node)");
                var inner = new RunResult { StartedUtc = run.StartedUtc, Command = run.Command, Machine = run.Machine, Quick = run.Quick };
                await BroadcastAsync(inner, lanes, symbols[..profile.W1Symbols], true, false, cancellationToken, workload: "W5");
                foreach (var r in inner.Results)
                {
                    run.Results.Add(r);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                result.Notes.Add("failed: " + e.Message.Split('\n')[0]);
                run.Results.Add(result);
                log("W5 failed: " + e);
            }
        }
    }

    /// <summary>One server's part in an interleaved workload: its sockets, its feed, its result.</summary>
    private sealed class Lane : IAsyncDisposable
    {
        public required Target Target { get; init; }

        public required IQuoteClient[] Clients { get; init; }

        public required FeedDriver Feed { get; init; }

        public required LatencyRecorder Recorder { get; init; }

        public required WorkloadResult Result { get; init; }

        public bool Ramping { get; set; } = true;

        /// <summary>Rates delivered in full (ratio ≥ 0.99, ingest ≥ 97 %) or not.</summary>
        public SaturationBracket DeliveryBracket { get; } = new();

        /// <summary>Rates that passed the issue's test (delivered and p99 &lt; 100 ms) or not.</summary>
        public SaturationBracket PassBracket { get; } = new();

        /// <summary>Every lane not yet disposed, so that a window can check that only its own server has load.</summary>
        public required HashSet<Lane> Open { get; init; }

        public async ValueTask DisposeAsync()
        {
            Open.Remove(this);
            Target.Resume();
            Feed.SetRate(0);
            await CloseAllAsync(Clients);
            await Feed.DisposeAsync();
        }
    }

    private async Task<Lane> OpenLaneAsync(Target target, string workload, string[] symbols, IReadOnlyList<IReadOnlyList<string>> subscriptions, CancellationToken ct)
    {
        var recorder = new LatencyRecorder();
        var clients = await ConnectAllAsync(target, subscriptions, recorder, ct);
        var followers = new int[symbols.Length];
        var index = symbols.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => p.i);
        foreach (var list in subscriptions)
        {
            foreach (var symbol in list)
            {
                followers[index[symbol]]++;
            }
        }

        var feed = await FeedDriver.ConnectAsync(target.Feed.Endpoint, ServerSettings.FeedKey, symbols, BenchCatalog.Closes(symbols.Length), followers, FeedSockets, ct);
        await feed.PrimeAsync(ct);
        feed.Start();
        var name = workload == "W5" && target.Name == "SUT" ? "SUT-1node" : target.Name;
        var lane = new Lane
        {
            Target = target, Clients = clients, Feed = feed, Recorder = recorder, Open = _openLanes,
            Result = new WorkloadResult
            {
                Workload = workload, Server = name, Sockets = subscriptions.Count, Symbols = symbols.Length,
                SubscriptionsPerSocket = subscriptions.Count > 0 ? subscriptions[0].Count : 0,
            },
        };
        _openLanes.Add(lane);
        return lane;
    }

    /// <summary>
    /// W1 (ramp to saturation, then the window at half of B0's saturation) and W4 (the same sockets at half of each server's own W1 saturation, all
    /// reading, then with 1 % stalled), the servers taking turns.
    /// </summary>
    private async Task BroadcastAsync(RunResult run, IReadOnlyList<Target> targets, string[] symbols, bool w1, bool w4, CancellationToken ct, string workload = "W1")
    {
        var subscriptions = Enumerable.Range(0, profile.W1Sockets).Select(_ => (IReadOnlyList<string>)symbols).ToArray();
        var lanes = new List<Lane>();
        try
        {
            foreach (var target in targets)
            {
                lanes.Add(await OpenLaneAsync(target, workload, symbols, subscriptions, ct));
            }

            var fanout = (double)profile.W1Sockets;
            await WarmUpAsync(lanes, fanout, ct);
            if (HoldTicksPerSecond is { } hold)
            {
                foreach (var lane in lanes)
                {
                    log($"HOLD {lane.Target.Name} pid {lane.Target.Sockets.Pid} at {hold} ticks/s for {HoldFor.TotalSeconds} s");
                    QuietOthers(lane);
                    lane.Feed.SetRate(hold);
                    await Task.Delay(HoldFor, ct);
                    var window = await MeasureAsync(lane, hold, "hold", ct);
                    lane.Result.Steps.Add(window);
                    run.Results.Add(lane.Result);
                    LogHoldWindow(lane, window, "done");
                }

                return;
            }

            if (w1)
            {
                await RampAsync(lanes, fanout, ct);
                var b0 = lanes.FirstOrDefault(l => l.Target.Kind == ServerKind.B0)?.Result;
                _halfLoadTicks ??= b0 is not null ? HalfOf(b0) : null;
                // The latency point: rounds of one window per server in turn, and each server's figure is its
                // window with the median p99. One window per server moved a p99 comparison by 10-20 % on this
                // shared machine, more than W5's 2 ms target; the rounds also spread the machine's own swings
                // over every server alike.
                var windows = await RoundsAsync(lanes, profile.LatencyWindows,
                    lane => workload == "W5" ? HalfOf(lanes[0].Result) : _halfLoadTicks ?? HalfOf(lane.Result),
                    _ => workload == "W5" ? "half of SUT-1node saturation" : "half of B0 saturation", ct);

                foreach (var lane in lanes)
                {
                    lane.Result.HalfLoad = LatencySummary.MedianByP99(windows[lane], s => s.Latency);
                    run.Results.Add(lane.Result);
                }
            }

            if (w4)
            {
                // Each server at half of its own W1 saturation (this run's), so that every server is measured
                // where it keeps up; without W1 in the run, at the ramp's first rate.
                double HalfFor(Lane lane) => w1 ? HalfOf(lane.Result) : profile.StartUpdatesPerSecond / fanout;
                var results = lanes.Select(l => new WorkloadResult
                {
                    Workload = "W4", Server = l.Target.Name, Sockets = profile.W1Sockets, Symbols = symbols.Length, SubscriptionsPerSocket = symbols.Length,
                }).ToArray();

                // Each server's two phases back to back, several windows each: a p99 ratio of two single
                // windows moves by 10-20 % on this shared machine (compare any ramp window with its "again").
                // The phase's figure is its window with the median p99; every window is in the table.
                var stalledCount = Math.Max(1, (int)(profile.W1Sockets * Profile.StalledShare));
                for (var i = 0; i < lanes.Count; i++)
                {
                    var reading = new List<StepResult>();
                    for (var w = 0; w < profile.LatencyWindows; w++)
                    {
                        reading.Add(await MeasureAsync(lanes[i], HalfFor(lanes[i]), "all reading", ct));
                    }

                    var stalled = lanes[i].Clients.Take(stalledCount).ToArray();
                    foreach (var client in stalled)
                    {
                        client.Stall();
                    }

                    lanes[i].Feed.SetSubscribers(Enumerable.Repeat(profile.W1Sockets - stalled.Length, symbols.Length).ToArray());

                    // Let the stalled sockets' buffers fill before measuring the readers (each window settles
                    // for the warm-up too; all of them end well inside the SUT's 30 s slow-consumer timeout).
                    lanes[i].Feed.SetRate(HalfFor(lanes[i]));
                    await Task.Delay(profile.Warmup, ct);
                    var withStalled = new List<StepResult>();
                    for (var w = 0; w < profile.LatencyWindows; w++)
                    {
                        withStalled.Add(await MeasureAsync(lanes[i], HalfFor(lanes[i]), $"{stalled.Length} stalled", ct));
                    }

                    results[i].Steps.AddRange(reading);
                    results[i].Steps.AddRange(withStalled);
                    results[i].AllReading = LatencySummary.MedianByP99(reading, s => s.Latency);
                    results[i].WithStalled = LatencySummary.MedianByP99(withStalled, s => s.Latency) with
                    {
                        ServerMaxRssBytes = withStalled.Max(s => s.ServerMaxRssBytes),
                    };
                    foreach (var client in stalled)
                    {
                        client.Abort();
                    }

                    run.Results.Add(results[i]);
                }
            }
        }
        finally
        {
            foreach (var lane in lanes)
            {
                await lane.DisposeAsync();
            }
        }
    }

    /// <summary>W2: 1,000 symbols, sockets with 20 random subscriptions each; ramp to saturation, servers taking turns.</summary>
    private async Task SelectiveAsync(RunResult run, IReadOnlyList<Target> targets, string[] symbols, CancellationToken ct)
    {
        var random = new Random(7);
        var subscriptions = Enumerable.Range(0, profile.W2Sockets)
            .Select(_ => (IReadOnlyList<string>)random.GetItems(symbols, profile.W2Subscriptions * 2).Distinct().Take(profile.W2Subscriptions).ToArray())
            .ToArray();
        var lanes = new List<Lane>();
        try
        {
            foreach (var target in targets)
            {
                lanes.Add(await OpenLaneAsync(target, "W2", symbols, subscriptions, ct));
            }

            var fanout = subscriptions.Sum(s => s.Count) / (double)symbols.Length;
            await WarmUpAsync(lanes, fanout, ct);
            if (HoldTicksPerSecond is { } hold)
            {
                await RoundsAsync(lanes, HoldRounds, _ => hold, round => $"hold {round}", ct,
                    (lane, window, round) => LogHoldWindow(lane, window, $"round {round}"));
            }
            else
            {
                await RampAsync(lanes, fanout, ct);
            }

            run.Results.AddRange(lanes.Select(l => l.Result));
        }
        finally
        {
            foreach (var lane in lanes)
            {
                await lane.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Rounds (numbered from 1) of one window per lane in turn, each at its lane's rate, so the machine's own
    /// swings fall on every server alike. Every window joins its lane's steps; returned per lane as well.
    /// </summary>
    private async Task<Dictionary<Lane, List<StepResult>>> RoundsAsync(IReadOnlyList<Lane> lanes, int rounds, Func<Lane, double> rate,
        Func<int, string> phase, CancellationToken ct, Action<Lane, StepResult, int>? measured = null)
    {
        var windows = lanes.ToDictionary(l => l, _ => new List<StepResult>());
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var lane in lanes)
            {
                var window = await MeasureAsync(lane, rate(lane), phase(round), ct);
                lane.Result.Steps.Add(window);
                windows[lane].Add(window);
                measured?.Invoke(lane, window, round);
            }
        }

        return windows;
    }

    /// <summary>A held window's latency beside its ingest acks' (send to ack), which tells a queue before the tickers from one after.</summary>
    private void LogHoldWindow(Lane lane, StepResult window, string label)
    {
        var ack = lane.Feed.AckSummary();
        log($"HOLD {lane.Target.Name} {label}: p50 {window.Latency.P50Ms} p99 {window.Latency.P99Ms} max {window.Latency.MaxMs} ms, " +
            $"ingest ack p50 {ack.P50Ms} p99 {ack.P99Ms} max {ack.MaxMs} ms ({ack.Count} batches), " +
            $"delivered {window.DeliveryRatio}, cpu {window.ServerCpuPercent} %, generator {window.GeneratorCpuPercent} %, threads {window.ServerThreads}");
    }

    /// <summary>Half the saturation rate; the delivery-only saturation when no window met the latency bound.</summary>
    private double HalfOf(WorkloadResult result) =>
        result.SaturationTicksPerSecond is > 0 and var saturation ? saturation / 2
        : result.DeliverySaturationTicksPerSecond is > 0 and var delivered ? delivered / 2
        : result.Steps[0].TargetTicksPerSecond / 2;

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
                target.CpuSeconds() - cpu0, 0, after, after, 0, 0, true, true));
            result.Notes.Add($"RSS {before / 1048576.0:F1} MiB with 1 socket, {after / 1048576.0:F1} MiB with {profile.W3Sockets + 1}");
            log($"{target.Name} W3: {result.RssPerSocketBytes / 1024:F1} KiB per idle socket");
        }
        finally
        {
            await CloseAllAsync([.. clients, warm]);
        }

        return result;
    }

    /// <summary>
    /// Each fresh server in turn, alone on its core, offered <see cref="Profile.WarmupUpdatesPerSecond"/> for
    /// <see cref="Profile.ProcessWarmup"/>, unmeasured, then drained. A fresh .NET process runs its own code
    /// unoptimized at first: the JIT compiles each hot method again, optimized, only after it has been called
    /// often enough, and on a full core that took 30-40 s. The SUT's hot path (Akka.NET and its own
    /// assemblies, not precompiled like the shared framework B0 mostly runs on) was still at tier 0 30 s into
    /// a hold (docs/benchmarks.md, "Method"), so the windows measure servers in their steady state only
    /// after it. A server is warmed once per process: W2 runs on the processes W1 warmed.
    /// </summary>
    private async Task WarmUpAsync(IReadOnlyList<Lane> lanes, double fanout, CancellationToken ct)
    {
        if (profile.ProcessWarmup <= TimeSpan.Zero)
        {
            return;
        }

        var rate = Profile.WarmupUpdatesPerSecond / fanout;
        foreach (var lane in lanes.Where(l => !l.Target.WarmedUp))
        {
            log($"{lane.Target.Name}: warming up for {profile.ProcessWarmup.TotalSeconds} s at {rate:F1} ticks/s");
            QuietOthers(lane);
            lane.Feed.SetRate(rate);
            try
            {
                await Task.Delay(profile.ProcessWarmup, ct);
            }
            finally
            {
                lane.Feed.SetRate(0);
                await DrainAsync(lane, ct);
            }

            lane.Target.WarmedUp = true;
        }
    }

    /// <summary>
    /// Raises the offered rate step by step, each server taking its turn at each rate, until each has
    /// failed the delivery test at a rate (twice, in a full run: the machine is shared, and one bad window
    /// may be someone else's build). Windows over the latency bound do not stop the ramp: on a shared
    /// machine they come and go with others' load. The ramp's steps are 1.6 × apart, too coarse to compare
    /// servers (a server that passes one step more looks 1.6 × faster), so each server's bracket is then
    /// narrowed by bisection (<see cref="Profile.Refinements"/> windows each): first the delivery bracket,
    /// then the issue's (delivery and p99 &lt; 100 ms). A server's saturation is the highest rate it passed.
    /// </summary>
    private async Task RampAsync(IReadOnlyList<Lane> lanes, double fanout, CancellationToken ct)
    {
        var rate = profile.StartUpdatesPerSecond / fanout;
        for (var step = 0; step < profile.MaxSteps && lanes.Any(l => l.Ramping); step++, rate *= profile.RampFactor)
        {
            foreach (var lane in lanes.Where(l => l.Ramping))
            {
                var window = await StepAsync(lane, rate, "ramp", ct);
                lane.Ramping = window.Delivered;
            }
        }

        // Delivery first: it is what the p99-bounded figure cannot exceed, and the steadier of the two.
        await RefineAsync(lanes, lane => lane.DeliveryBracket, "refine delivery", ct);
        await RefineAsync(lanes, lane => lane.PassBracket, "refine p99", ct);

        foreach (var lane in lanes)
        {
            var best = lane.Result.Steps.Where(s => s.Passed).MaxBy(s => s.TargetTicksPerSecond);
            lane.Result.SaturationTicksPerSecond = best?.TargetTicksPerSecond ?? 0;
            lane.Result.SaturationUpdatesPerSecond = best?.DeliveredUpdatesPerSecond ?? 0;
            var delivered = lane.Result.Steps.Where(s => s.Delivered).MaxBy(s => s.TargetTicksPerSecond);
            lane.Result.DeliverySaturationTicksPerSecond = delivered?.TargetTicksPerSecond ?? 0;
            lane.Result.DeliverySaturationUpdatesPerSecond = delivered?.DeliveredUpdatesPerSecond ?? 0;
            if (lane.Ramping)
            {
                lane.Result.Notes.Add("did not saturate within the ramp: the figure is a lower bound");
            }

            if (best is null)
            {
                lane.Result.Notes.Add($"no window passed with p99 < 100 ms, not even the first ({lane.Result.Steps[0].TargetTicksPerSecond:F1} ticks/s)");
            }
        }
    }

    /// <summary>Bisects each server's bracket in turn, one window per server per round.</summary>
    private async Task RefineAsync(IReadOnlyList<Lane> lanes, Func<Lane, SaturationBracket> bracket, string phase, CancellationToken ct)
    {
        for (var round = 0; round < profile.Refinements; round++)
        {
            foreach (var lane in lanes)
            {
                if (bracket(lane).Next(RefineResolution) is { } rate)
                {
                    await StepAsync(lane, rate, phase, ct);
                }
            }
        }
    }

    /// <summary>
    /// One measured rate: a window, measured once more when it fails in a full run (the second decides),
    /// recorded in both brackets.
    /// </summary>
    private async Task<StepResult> StepAsync(Lane lane, double rate, string phase, CancellationToken ct)
    {
        var window = await MeasureAsync(lane, rate, phase, ct);
        lane.Result.Steps.Add(window);
        if (!window.Passed && profile.RetryFailedSteps)
        {
            window = await MeasureAsync(lane, rate, phase + " (again)", ct);
            lane.Result.Steps.Add(window);
        }

        lane.DeliveryBracket.Record(rate, window.Delivered);
        lane.PassBracket.Record(rate, window.Passed);
        return window;
    }

    /// <summary>
    /// One window on one server: offer <paramref name="ticksPerSecond"/>, let it settle, measure, and stop the
    /// feed again. The servers share a core, so a window must be the only one with load: a feed left running
    /// (as the half-load windows of W1, W4 and W5 did until 29 Nov) loads the server measured next.
    /// </summary>
    private async Task<StepResult> MeasureAsync(Lane lane, double ticksPerSecond, string phase, CancellationToken ct)
    {
        var (target, feed, recorder) = (lane.Target, lane.Feed, lane.Recorder);
        if (_openLanes.FirstOrDefault(l => l != lane && l.Feed.TicksPerSecond > 0) is { } other)
        {
            throw new InvalidOperationException($"{other.Target.Name}'s feed still runs at {other.Feed.TicksPerSecond} ticks/s while {target.Name} is measured");
        }

        QuietOthers(lane);

        try
        {
            return await MeasureRunningAsync(lane, ticksPerSecond, phase, ct);
        }
        finally
        {
            feed.SetRate(0);
            await DrainAsync(lane, ct);
        }
    }

    /// <summary>
    /// Waits, with the feed stopped, until the lane's sockets have received everything the server still had
    /// queued for them (no frame for a quarter of the late-frame grace: 250 ms, 125 ms with <c>--quick</c>;
    /// at most <see cref="DrainLimit"/>). An overloaded
    /// window leaves frames queued in the server's output buffers and the kernel's socket buffers; a server
    /// then stopped (SIGSTOP) while the others run kept that queue into its next window, which inherited up
    /// to a second of latency at rates it otherwise kept up with (docs/benchmarks.md, "Method").
    /// </summary>
    private async Task DrainAsync(Lane lane, CancellationToken ct)
    {
        var quiet = profile.LateFrameGrace / 4;
        var watch = Stopwatch.StartNew();
        var last = lane.Recorder.Received;
        var quietSince = watch.Elapsed;
        while (watch.Elapsed < DrainLimit)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
            var now = lane.Recorder.Received;
            if (now != last)
            {
                (last, quietSince) = (now, watch.Elapsed);
            }
            else if (watch.Elapsed - quietSince >= quiet)
            {
                return;
            }
        }
    }

    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Runs <paramref name="lane"/>'s server and stops (SIGSTOP) every other lane's. Idle servers are
    /// not free: with W1's 1,000 sockets open and no ticks, the SUT took about 9 % of the shared core (mostly
    /// thread-pool spinning after each wake) against B0's 1-3 %, so the server measured
    /// shared its core with its idle neighbours, unequally. Stopped, they take nothing; their sockets stay
    /// open, and the next window's warm-up absorbs whatever they catch up on when resumed. W5's clusters are
    /// stopped whole (both nodes), and their failure detectors allow a 10 min pause
    /// (<c>Node:AcceptableHeartbeatPause</c>), so neither node calls the other unreachable on resuming.
    /// </summary>
    private void QuietOthers(Lane lane)
    {
        lane.Target.Resume();
        foreach (var other in _openLanes)
        {
            if (other != lane && other.Target != lane.Target)
            {
                other.Target.Pause();
            }
        }
    }

    private async Task<StepResult> MeasureRunningAsync(Lane lane, double ticksPerSecond, string phase, CancellationToken ct)
    {
        var (target, feed, recorder) = (lane.Target, lane.Feed, lane.Recorder);
        feed.SetRate(ticksPerSecond);
        await Task.Delay(profile.Warmup, ct);
        var skipped0 = feed.Skipped;
        var cpu0 = target.CpuSeconds();
        var neighbours = _openLanes.Select(l => l.Target).Where(t => t != target).Distinct().ToArray();
        var neighboursCpu0 = neighbours.Sum(t => t.CpuSeconds());
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
        var neighboursCpu = neighbours.Sum(t => t.CpuSeconds()) - neighboursCpu0;
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
        var delivered99 = accepted >= ticksPerSecond * 0.97 - FeedSockets / seconds && ratio >= MinDeliveryRatio;
        var passed = delivered99 && latency.P99Ms < MaxP99.TotalMilliseconds;
        var result = new StepResult(phase, Math.Round(ticksPerSecond, 2), Math.Round(accepted, 2), Math.Round(offered), Math.Round(delivered),
            Math.Round(ratio, 4), latency, Math.Round(cpu, 2), Math.Round(cpu / cpuSeconds * 100, 1), rss, Math.Max(maxRss, rss),
            feed.Skipped - skipped0, Math.Round(ownCpu / cpuSeconds * 100, 1), passed, delivered99, Math.Round(neighboursCpu / cpuSeconds * 100, 1), target.Threads());
        log($"{target.Name} {phase}: {ticksPerSecond:F1} ticks/s offered, {accepted:F1} accepted, {delivered:F0} updates/s delivered " +
            $"(ratio {ratio:F3}), p50 {latency.P50Ms} ms p99 {latency.P99Ms} ms max {latency.MaxMs} ms, CPU {cpu / cpuSeconds * 100:F0} % " +
            $"({result.CpuMicrosPerUpdate} µs/update), other servers' CPU {neighboursCpu / cpuSeconds * 100:F0} %, generator CPU {ownCpu / cpuSeconds * 100:F0} %, RSS {rss / 1048576} MiB, {result.ServerThreads} threads{(passed ? string.Empty : delivered99 ? "  (p99 over 100 ms)" : "  -> saturated")}");
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
