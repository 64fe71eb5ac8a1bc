using System.Diagnostics;
using ActorQuotes.Gateway.Fencing;

namespace ActorQuotes.Gateway.Tests.Fencing;

/// <summary>The watchdog's decision and the fencing settings, with timestamps passed in: no threads, no waiting.</summary>
public sealed class WatchdogClockTests
{
    private static long At(double seconds) => (long)(seconds * Stopwatch.Frequency);

    [Fact(DisplayName = "Looks at the clock closer together than the pause are no stall; a gap longer than the pause is, and says how long")]
    public void A_gap_longer_than_the_pause_is_a_stall()
    {
        var clock = new WatchdogClock(TimeSpan.FromSeconds(3), At(0));
        Assert.Null(clock.Observe(At(0.1)));
        Assert.Null(clock.Observe(At(3.0)));
        var stall = clock.Observe(At(33.0));
        Assert.NotNull(stall);
        Assert.Contains("stood still for 30.0 s", stall, StringComparison.Ordinal);
    }

    [Fact(DisplayName = "Any thread sees a stall before the watchdog has looked again, and only looking records the time")]
    public void A_stall_is_seen_without_looking()
    {
        var clock = new WatchdogClock(TimeSpan.FromSeconds(3), At(0));
        Assert.NotNull(clock.Stalled(At(10)));
        Assert.NotNull(clock.Stalled(At(10))); // Stalled records nothing
        Assert.NotNull(clock.Observe(At(10)));
        Assert.Null(clock.Stalled(At(10.5)));
    }

    [Fact(DisplayName = "Without a pause (a cluster of one) nothing is ever a stall")]
    public void No_pause_no_stall() =>
        Assert.Null(new WatchdogClock(null, At(0)).Observe(At(3600)));

    [Fact(DisplayName = "Fencing settings that cannot work are refused with a message naming them")]
    public void Bad_settings_are_named()
    {
        Assert.Null(new FencingOptions().Validate());
        Assert.Contains("Fencing:RenewInterval", new FencingOptions { RenewInterval = TimeSpan.FromSeconds(2) }.Validate(), StringComparison.Ordinal);
        Assert.Contains("must be positive", new FencingOptions { NodeLeaseTtl = TimeSpan.Zero }.Validate(), StringComparison.Ordinal);
        Assert.Contains("Fencing:WatchdogPause", new FencingOptions { WatchdogPause = TimeSpan.FromMilliseconds(100) }.Validate(), StringComparison.Ordinal);
    }
}
