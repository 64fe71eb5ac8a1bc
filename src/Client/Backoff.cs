namespace ActorQuotes.Client;

/// <summary>How much randomness <see cref="Backoff"/> mixes into each delay, so clients do not reconnect in step.</summary>
public enum BackoffJitter
{
    /// <summary>The delay is the ceiling itself: initial × 2^attempt, capped at the maximum.</summary>
    None,

    /// <summary>Uniform in [0, ceiling): spreads reconnects the most, but a retry may come at once.</summary>
    Full,

    /// <summary>Uniform in [ceiling / 2, ceiling): always waits at least half. The default.</summary>
    Equal,
}

/// <summary>
/// An exponential backoff schedule: the ceiling starts at the initial delay, doubles per attempt and stops at the
/// maximum; <see cref="BackoffJitter"/> picks the delay under it. Pure: the only randomness is the injected source,
/// and it never sleeps. Not thread-safe (one per stream enumeration).
/// </summary>
public sealed class Backoff
{
    private readonly Func<double> _random;

    /// <summary>Creates a schedule. <paramref name="random"/> returns values in [0, 1) (default <see cref="Random.Shared"/>).</summary>
    public Backoff(TimeSpan initial, TimeSpan max, BackoffJitter jitter = BackoffJitter.Equal, Func<double>? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        Initial = initial;
        Max = max;
        Jitter = jitter;
        _random = random ?? Random.Shared.NextDouble;
    }

    /// <summary>The first ceiling.</summary>
    public TimeSpan Initial { get; }

    /// <summary>The largest ceiling.</summary>
    public TimeSpan Max { get; }

    /// <summary>How each delay is picked under its ceiling.</summary>
    public BackoffJitter Jitter { get; }

    /// <summary>Delays handed out since the last <see cref="Reset"/>.</summary>
    public int Attempt { get; private set; }

    /// <summary>The ceiling of a given attempt (from 0): initial × 2^attempt, at most <see cref="Max"/>.</summary>
    public TimeSpan Ceiling(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        var ticks = Initial.Ticks * Math.Pow(2, Math.Min(attempt, 62));
        return ticks >= Max.Ticks ? Max : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The delay before the next attempt; moves the schedule on by one.</summary>
    public TimeSpan Next()
    {
        var ceiling = Ceiling(Attempt);
        if (Attempt < int.MaxValue)
        {
            Attempt++;
        }

        // A source that strays outside [0, 1) still keeps the delay within [0, ceiling].
        var r = Math.Clamp(_random(), 0, 1);
        return Jitter switch
        {
            BackoffJitter.None => ceiling,
            BackoffJitter.Full => TimeSpan.FromTicks((long)(ceiling.Ticks * r)),
            BackoffJitter.Equal => TimeSpan.FromTicks((ceiling.Ticks / 2) + (long)(ceiling.Ticks / 2 * r)),
            _ => throw new InvalidOperationException($"unknown jitter {Jitter}"),
        };
    }

    /// <summary>Starts over from <see cref="Initial"/> (after a connection that delivered a frame).</summary>
    public void Reset() => Attempt = 0;
}
