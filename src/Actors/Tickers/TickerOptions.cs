namespace ActorQuotes.Actors.Tickers;

/// <summary>Settings of every ticker (configuration section <c>Tickers</c>).</summary>
public sealed class TickerOptions
{
    public const string Section = "Tickers";

    /// <summary>A tick more than this many percent away from the last price is rejected as a bad print.</summary>
    public double MaxJumpPercent { get; set; } = 20;

    /// <summary>A snapshot after this many accepted ticks...</summary>
    public int SnapshotEveryTicks { get; set; } = 50;

    /// <summary>
    /// ...or this long after the first tick not yet in a snapshot, whichever comes first. A quiet symbol
    /// would otherwise write a snapshot for nearly every tick: with 1,000 symbols the writes are bounded by
    /// ticks/50 + 1,000/60 per second. A crash loses at most this much of a ticker's last price, which its
    /// next tick restores; the previous close is saved at the roll whatever this says.
    /// </summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Quote sequence numbers a ticker reserves in one journal write (docs/market-data.md). A ticker moved
    /// after a crash starts above every reserved number, so quote_sequence jumps forward by up to 1.5 blocks
    /// there; a larger block means fewer writes (one per block of ticks) and a larger jump.
    /// </summary>
    public int SequenceBlock { get; set; } = 1000;

    /// <summary>
    /// A tick dated more than this ahead of the node's clock is rejected <c>future_timestamp</c>: accepted, it
    /// would become the last tick's time and every later tick would be out of order until then. A snapshot
    /// whose last tick is beyond it is recovered without that time (issue 22).
    /// </summary>
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The latest tick time taken at <paramref name="now"/> (no overflow for a huge skew).</summary>
    public DateTimeOffset LatestPlausible(DateTimeOffset now) =>
        now <= DateTimeOffset.MaxValue - MaxFutureSkew ? now + MaxFutureSkew : DateTimeOffset.MaxValue;

    /// <summary>How often a quiet ticker checks whether its exchange's trading day has closed.</summary>
    public TimeSpan RollCheckInterval { get; set; } = TimeSpan.FromSeconds(30);
}
