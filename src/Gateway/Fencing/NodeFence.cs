using System.Diagnostics;

namespace ActorQuotes.Gateway.Fencing;

/// <summary>
/// Whether this node may still answer for the cluster. It stops for good when the node learns it was downed,
/// removed or quarantined, when its node lease is lost, or when its own process stood still for longer than
/// the failure detector allows (a watchdog on the monotonic clock). From that moment it answers no 2xx:
/// requests get 503, a write already sent gets 504, readiness fails, sockets close with 1012 and the process
/// exits with status 1 so its supervisor starts a fresh incarnation.
/// </summary>
public sealed class NodeFence : IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<NodeFence> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly WatchdogClock _watchdog;
    private string? _reason;
    private string? _suspended;

    public NodeFence(IHostApplicationLifetime lifetime, ILogger<NodeFence> logger, TimeSpan? watchdogPause)
    {
        _lifetime = lifetime;
        _logger = logger;
        _watchdog = new WatchdogClock(watchdogPause, Stopwatch.GetTimestamp());
        if (watchdogPause is not null)
        {
            new Thread(WatchLoop) { IsBackground = true, Name = "aq-watchdog" }.Start();
        }
    }

    /// <summary>Why the node stopped serving, or null while it serves.</summary>
    public string? Reason => Volatile.Read(ref _reason) ?? Volatile.Read(ref _suspended) ?? _watchdog.Stalled(Stopwatch.GetTimestamp());

    /// <summary>
    /// True while this node may answer 2xx. Also false in the moment after a stall before the watchdog thread
    /// has run: every thread that wakes with it sees the gap itself.
    /// </summary>
    public bool IsServing => Reason is null;

    /// <summary>Raised once, on the thread that trips the fence, right after it stopped serving.</summary>
    public event Action? Tripped;

    /// <summary>Stops serving for good, then stops the node (sockets 1012, leave, exit 1). Only the first reason counts.</summary>
    public void Trip(string reason)
    {
        if (Interlocked.CompareExchange(ref _reason, reason, null) is not null)
        {
            return;
        }

        _logger.LogError("This node stops serving: {Reason}. It answers 503 from now on and exits.", reason);
        Environment.ExitCode = 1;
        Tripped?.Invoke();
        _lifetime.StopApplication();
    }

    /// <summary>
    /// Stops serving until <see cref="Resume"/>: this node cannot reach a majority, so the others may down it
    /// before it hears of it. It answers 503 meanwhile; a write already sent gets 504.
    /// </summary>
    public void Suspend(string reason)
    {
        if (Interlocked.Exchange(ref _suspended, reason) is null)
        {
            _logger.LogWarning("This node pauses serving: {Reason}. It answers 503 until it reaches a majority again.", reason);
        }
    }

    /// <summary>Serves again after <see cref="Suspend"/> (nothing undoes <see cref="Trip"/>).</summary>
    public void Resume()
    {
        if (Interlocked.Exchange(ref _suspended, null) is { } was && Volatile.Read(ref _reason) is null)
        {
            _logger.LogInformation("This node serves again: it reaches a majority ({Was} is over)", was);
        }
    }

    private void WatchLoop()
    {
        while (!_stopping.Token.WaitHandle.WaitOne(Tick))
        {
            if (_watchdog.Observe(Stopwatch.GetTimestamp()) is { } stall)
            {
                Trip(stall);
                return;
            }
        }
    }

    public void Dispose() => _stopping.Cancel();
}

/// <summary>
/// The watchdog's decision, pure: the time between two looks at the monotonic clock is how long this process
/// stood still; longer than the pause, and the cluster may have downed it meanwhile.
/// </summary>
public sealed class WatchdogClock(TimeSpan? pause, long startTimestamp)
{
    private long _lastSeen = startTimestamp;

    /// <summary>Records a look at the clock; a reason if the process stood still too long since the last one.</summary>
    public string? Observe(long timestamp)
    {
        var stall = Stalled(timestamp);
        Volatile.Write(ref _lastSeen, timestamp);
        return stall;
    }

    /// <summary>A reason if the last look at the clock is older than the pause (without recording this one).</summary>
    public string? Stalled(long timestamp)
    {
        if (pause is not { } limit)
        {
            return null;
        }

        var since = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastSeen), timestamp);
        return since > limit
            ? $"the process stood still for {since.TotalSeconds:F1} s (more than the {limit.TotalSeconds:F1} s the failure detector allows); the cluster may have downed it"
            : null;
    }
}
