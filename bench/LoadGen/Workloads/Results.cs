using ActorQuotes.Bench.LoadGen.Measurement;

namespace ActorQuotes.Bench.LoadGen.Workloads;

/// <summary>
/// One measurement window at one offered rate. <see cref="Passed"/>: the saturation test
/// (delivered/offered ≥ 0.99, p99 &lt; 100 ms, ingest kept up); <see cref="Delivered"/>: the same without
/// the latency bound, which on a shared machine measures others' load as much as the server.
/// <see cref="NeighboursCpuPercent"/>: the CPU that the other lanes' servers, idle or stopped, took during the
/// window (percent of one core), which on a shared core is taken from the server measured.
/// <see cref="ServerThreads"/>: the server's threads at the window's end (a thread pool grown by an overload
/// stays grown for a while, and every runnable thread takes turns on the core).
/// </summary>
public sealed record StepResult(
    string Phase,
    double TargetTicksPerSecond,
    double AcceptedTicksPerSecond,
    double OfferedUpdatesPerSecond,
    double DeliveredUpdatesPerSecond,
    double DeliveryRatio,
    LatencySummary Latency,
    double ServerCpuSeconds,
    double ServerCpuPercent,
    long ServerRssBytes,
    long ServerMaxRssBytes,
    long TicksSkipped,
    double GeneratorCpuPercent,
    bool Passed,
    bool Delivered,
    double NeighboursCpuPercent = 0,
    int ServerThreads = 0)
{
    /// <summary>Server CPU time per delivered update, µs: the cost figure that machine noise hardly moves.</summary>
    public double CpuMicrosPerUpdate => DeliveredUpdatesPerSecond > 0 ? Math.Round(ServerCpuPercent / 100 / DeliveredUpdatesPerSecond * 1e6, 2) : 0;

    /// <summary>Updates/s the server could deliver with one whole core at this cost (1 s / cost per update).</summary>
    public double UpdatesPerCoreSecond => CpuMicrosPerUpdate > 0 ? Math.Round(1e6 / CpuMicrosPerUpdate) : 0;
}

/// <summary>One workload on one server: its steps and the figures the targets compare.</summary>
public sealed class WorkloadResult
{
    public required string Workload { get; init; }

    public required string Server { get; init; }

    public int Sockets { get; init; }

    public int Symbols { get; init; }

    public int SubscriptionsPerSocket { get; init; }

    public List<StepResult> Steps { get; } = [];

    /// <summary>W1/W2/W5: highest passing offered rate (ticks/s) and what it delivered (updates/s).</summary>
    public double? SaturationTicksPerSecond { get; set; }

    public double? SaturationUpdatesPerSecond { get; set; }

    /// <summary>W1/W2/W5: the same for the delivery test alone (no latency bound).</summary>
    public double? DeliverySaturationTicksPerSecond { get; set; }

    public double? DeliverySaturationUpdatesPerSecond { get; set; }

    /// <summary>
    /// W1/W5: of the windows at half load (W1: half of B0's W1 saturation; W5: half of the single node's),
    /// the one with the median p99; all of them are in <see cref="Steps"/> under its phase.
    /// </summary>
    public StepResult? HalfLoad { get; set; }

    /// <summary>W3: RSS growth per idle socket, bytes.</summary>
    public double? RssPerSocketBytes { get; set; }

    /// <summary>W4: readers' latency with all reading, then with 1 % stalled.</summary>
    public StepResult? AllReading { get; set; }

    public StepResult? WithStalled { get; set; }

    public List<string> Notes { get; } = [];
}

/// <summary>Everything one run measured.</summary>
public sealed class RunResult
{
    public required DateTime StartedUtc { get; init; }

    public required string Command { get; init; }

    public required string Machine { get; init; }

    public required bool Quick { get; init; }

    public double DurationSeconds { get; set; }

    public List<WorkloadResult> Results { get; } = [];

    public WorkloadResult? Find(string workload, string server) =>
        Results.FirstOrDefault(r => r.Workload == workload && r.Server == server);
}
