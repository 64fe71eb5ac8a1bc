namespace ActorQuotes.Client.Tests;

public sealed class BackoffTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    [Fact(DisplayName = "Without jitter the delays double from the initial value and stop at the maximum")]
    public void Doubles_then_caps()
    {
        var backoff = new Backoff(Initial, Max, BackoffJitter.None);

        var delays = Enumerable.Range(0, 10).Select(_ => backoff.Next().TotalMilliseconds).ToArray();

        Assert.Equal([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000], delays);
        Assert.Equal(10, backoff.Attempt);
    }

    [Fact(DisplayName = "The ceiling of a very late attempt is the maximum, not an overflow")]
    public void Late_attempt_is_capped()
    {
        var backoff = new Backoff(Initial, Max, BackoffJitter.None);

        Assert.Equal(Max, backoff.Ceiling(63));
        Assert.Equal(Max, backoff.Ceiling(int.MaxValue));
        Assert.Equal(TimeSpan.FromSeconds(16), backoff.Ceiling(5));
    }

    [Fact(DisplayName = "Full jitter scales the ceiling by the random draw, from zero up to the ceiling")]
    public void Full_jitter_bounds()
    {
        var draws = new Queue<double>([0.0, 0.5, 0.75, 0.25]);
        var backoff = new Backoff(Initial, Max, BackoffJitter.Full, draws.Dequeue);

        var delays = Enumerable.Range(0, 4).Select(_ => backoff.Next()).ToArray();

        Assert.Equal(TimeSpan.Zero, delays[0]);                                   // ceiling 0.5 s × 0
        Assert.Equal(TimeSpan.FromMilliseconds(500), delays[1]);                  // ceiling 1 s × 0.5
        Assert.Equal(TimeSpan.FromMilliseconds(1500), delays[2]);                 // ceiling 2 s × 0.75
        Assert.Equal(TimeSpan.FromMilliseconds(1000), delays[3]);                 // ceiling 4 s × 0.25
    }

    [Fact(DisplayName = "Equal jitter keeps at least half of the ceiling and never exceeds it")]
    public void Equal_jitter_bounds()
    {
        var draws = new Queue<double>([0.0, 0.999_999, 0.5]);
        var backoff = new Backoff(TimeSpan.FromSeconds(1), Max, BackoffJitter.Equal, draws.Dequeue);

        var low = backoff.Next();   // ceiling 1 s
        var high = backoff.Next();  // ceiling 2 s
        var middle = backoff.Next(); // ceiling 4 s

        Assert.Equal(TimeSpan.FromMilliseconds(500), low);
        Assert.InRange(high, TimeSpan.FromMilliseconds(1999), TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(3), middle);
    }

    [Fact(DisplayName = "A random source that strays outside [0, 1) still gives a delay within the ceiling")]
    public void Strays_are_clamped()
    {
        var draws = new Queue<double>([-3.0, 7.0]);
        var backoff = new Backoff(Initial, Max, BackoffJitter.Full, draws.Dequeue);

        Assert.Equal(TimeSpan.Zero, backoff.Next());
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Next());
    }

    [Fact(DisplayName = "Reset starts the schedule over from the initial delay")]
    public void Reset_starts_over()
    {
        var backoff = new Backoff(Initial, Max, BackoffJitter.None);
        backoff.Next();
        backoff.Next();
        backoff.Next();

        backoff.Reset();

        Assert.Equal(0, backoff.Attempt);
        Assert.Equal(Initial, backoff.Next());
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Next());
    }

    [Fact(DisplayName = "A maximum below the initial delay, or a delay that is not positive, is refused")]
    public void Bad_bounds()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff(TimeSpan.Zero, Max));
    }
}
