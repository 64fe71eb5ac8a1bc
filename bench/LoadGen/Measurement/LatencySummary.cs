using HdrHistogram;

namespace ActorQuotes.Bench.LoadGen.Measurement;

/// <summary>Latency percentiles in milliseconds, from an HdrHistogram recorded in microseconds.</summary>
public sealed record LatencySummary(long Count, double P50Ms, double P99Ms, double P999Ms, double MaxMs)
{
    public static readonly LatencySummary Empty = new(0, 0, 0, 0, 0);

    public static LatencySummary From(HistogramBase histogram) =>
        histogram.TotalCount == 0
            ? Empty
            : new(histogram.TotalCount,
                Ms(histogram.GetValueAtPercentile(50)),
                Ms(histogram.GetValueAtPercentile(99)),
                Ms(histogram.GetValueAtPercentile(99.9)),
                Ms(histogram.GetMaxValue()));

    /// <summary>
    /// The item whose p99 is the median of <paramref name="items"/>' (the lower middle one of an even count),
    /// so that one window disturbed by the machine's other tenants does not decide a comparison.
    /// </summary>
    public static T MedianByP99<T>(IReadOnlyList<T> items, Func<T, LatencySummary> latency)
    {
        ArgumentOutOfRangeException.ThrowIfZero(items.Count);
        return items.OrderBy(i => latency(i).P99Ms).ElementAt((items.Count - 1) / 2);
    }

    private static double Ms(long micros) => Math.Round(micros / 1000.0, 3);
}

/// <summary>
/// The tick-to-client latencies of a measurement window (microseconds, 3 significant digits, up to 10
/// minutes) and the count of quote frames received. A frame counts when its tick was <em>sent</em> inside
/// the window, whenever it arrives (the window stays open for late frames a little longer), so frames in
/// flight at either edge do not skew delivered/offered. Thread-safe: every client's receive loop records here.
/// </summary>
public sealed class LatencyRecorder
{
    public const long HighestMicros = 600_000_000;

    private readonly LongConcurrentHistogram _histogram = new(1, HighestMicros, 3);
    private long _frames;
    private long _received;
    private long _windowStart;
    private long _windowEnd;

    /// <summary>Frames are looked at only while this is true.</summary>
    public volatile bool Recording;

    /// <summary>Counts frames whose tick was sent in [<paramref name="startUtcTicks"/>, <paramref name="endUtcTicks"/>) from now on.</summary>
    public void Open(long startUtcTicks, long endUtcTicks)
    {
        Reset();
        _windowStart = startUtcTicks;
        _windowEnd = endUtcTicks;
        Recording = true;
    }

    public long Frames => Interlocked.Read(ref _frames);

    /// <summary>Every quote frame received so far, in a window or not: it stops moving once the server has sent all it owed.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Records one received quote frame whose tick was sent at <paramref name="sentUtcTicks"/>.</summary>
    public void Record(long sentUtcTicks, long receivedUtcTicks)
    {
        Interlocked.Increment(ref _received);
        if (!Recording || sentUtcTicks < _windowStart || sentUtcTicks >= _windowEnd)
        {
            return;
        }

        Interlocked.Increment(ref _frames);
        var micros = (receivedUtcTicks - sentUtcTicks) / 10;
        _histogram.RecordValue(Math.Clamp(micros, 1, HighestMicros));
    }

    // A copy: receive loops may still be recording into the live histogram.
    public LatencySummary Summary() => LatencySummary.From(_histogram.Copy());

    private void Reset()
    {
        _histogram.Reset();
        Interlocked.Exchange(ref _frames, 0);
    }
}
