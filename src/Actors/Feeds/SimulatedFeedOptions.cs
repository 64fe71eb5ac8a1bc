namespace ActorQuotes.Actors.Feeds;

/// <summary>Settings of the simulated price feed (configuration section <c>Feeds:Simulated</c>).</summary>
public sealed class SimulatedFeedOptions
{
    public const string Section = "Feeds:Simulated";

    /// <summary>Whether this node runs the simulator.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Ticks per second across all symbols.</summary>
    public int TicksPerSecond { get; set; } = 100;

    /// <summary>Seed of the random walk; the same seed gives the same sequence of prices.</summary>
    public int Seed { get; set; } = 7203;

    /// <summary>Standard deviation of one tick's log-return (0.001 = 0.1%).</summary>
    public double Volatility { get; set; } = 0.001;

    /// <summary>Ticker symbols to simulate; empty means every company of the catalog.</summary>
    public string[] Symbols { get; set; } = [];

    /// <summary>
    /// Tick whatever the time (the demo default). When false, only symbols whose exchange is in a trading
    /// session get ticks.
    /// </summary>
    public bool AroundTheClock { get; set; } = true;

    /// <summary>How often the feed wakes up to emit the ticks due.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMilliseconds(100);
}
