namespace ActorQuotes.Actors.Tickers;

/// <summary>Settings of every ticker (configuration section <c>Tickers</c>).</summary>
public sealed class TickerOptions
{
    public const string Section = "Tickers";

    /// <summary>A tick more than this many percent away from the last price is rejected as a bad print.</summary>
    public double MaxJumpPercent { get; set; } = 20;

    /// <summary>A snapshot after this many accepted ticks...</summary>
    public int SnapshotEveryTicks { get; set; } = 50;

    /// <summary>...or this long after the first tick not yet in a snapshot, whichever comes first.</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a quiet ticker checks whether its exchange's trading day has closed.</summary>
    public TimeSpan RollCheckInterval { get; set; } = TimeSpan.FromSeconds(30);
}
