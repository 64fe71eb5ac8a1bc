namespace ActorQuotes.Bench.LoadGen.Measurement;

/// <summary>
/// Open-loop pacing: how many events are due at a time since the start for a constant rate, minus those
/// already sent. A producer that falls behind catches up with bigger batches (up to <see cref="MaxBacklog"/>
/// seconds' worth; older debt is written off and counted), so the offered rate is the rate asked for as
/// long as the server keeps up.
/// </summary>
public sealed class RatePacer(double perSecond, double maxBacklogSeconds = 1.0)
{
    public double PerSecond { get; } = perSecond;

    /// <summary>How much debt is kept when the producer falls behind, in seconds of events.</summary>
    public double MaxBacklog { get; } = maxBacklogSeconds;

    /// <summary>Events sent so far.</summary>
    public long Sent { get; private set; }

    /// <summary>Events written off because the producer could not send them in time.</summary>
    public long Skipped { get; private set; }

    /// <summary>Events due now (never negative), given the time since the start.</summary>
    public long Due(TimeSpan elapsed)
    {
        var owed = (long)Math.Floor(PerSecond * elapsed.TotalSeconds) - Sent - Skipped;
        var cap = (long)Math.Ceiling(PerSecond * MaxBacklog);
        if (owed > cap && cap > 0)
        {
            Skipped += owed - cap;
            owed = cap;
        }

        return Math.Max(0, owed);
    }

    /// <summary>Records <paramref name="count"/> events as sent.</summary>
    public void MarkSent(long count) => Sent += count;

    /// <summary>When the next event falls due (for sleeping until then), given the time since the start.</summary>
    public TimeSpan UntilNext(TimeSpan elapsed)
    {
        if (PerSecond <= 0)
        {
            return TimeSpan.FromMilliseconds(100);
        }

        var nextAt = (Sent + Skipped + 1) / PerSecond;
        var wait = nextAt - elapsed.TotalSeconds;
        return wait <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(wait);
    }
}
