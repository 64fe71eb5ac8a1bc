namespace ActorQuotes.Contracts.Tests;

public sealed class RetryBackoffTests
{
    [Fact(DisplayName = "Delays start at the initial one and double up to the maximum, where they stay: 250 ms to 5 s")]
    public void Doubles_to_the_maximum()
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));

        Assert.Equal([250, 500, 1000, 2000, 4000, 5000, 5000], Enumerable.Range(0, 7).Select(_ => backoff.Next().TotalMilliseconds));
    }

    [Fact(DisplayName = "A doubling past the maximum is cut to it and stays there: 500 ms to 10 s goes 8 s, then 10 s")]
    public void Caps_a_doubling_past_the_maximum()
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10));

        Assert.Equal([500, 1000, 2000, 4000, 8000, 10_000, 10_000], Enumerable.Range(0, 7).Select(_ => backoff.Next().TotalMilliseconds));
        Assert.Equal(TimeSpan.FromSeconds(10), backoff.Current);
    }

    [Fact(DisplayName = "Reset starts over from the initial delay")]
    public void Reset_starts_over()
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5));
        backoff.Next();
        backoff.Next();
        Assert.Equal(TimeSpan.FromSeconds(2), backoff.Current);

        backoff.Reset();

        Assert.Equal(TimeSpan.FromMilliseconds(500), backoff.Next());
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Current);
    }

    [Fact(DisplayName = "Equal initial and maximum is a fixed delay; a maximum near TimeSpan.MaxValue does not overflow")]
    public void Edges()
    {
        var fixedDelay = new RetryBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        Assert.Equal([1.0, 1.0, 1.0], Enumerable.Range(0, 3).Select(_ => fixedDelay.Next().TotalSeconds));

        var huge = new RetryBackoff(TimeSpan.FromTicks(long.MaxValue / 2 + 1), TimeSpan.MaxValue);
        Assert.Equal(TimeSpan.FromTicks(long.MaxValue / 2 + 1), huge.Next());
        Assert.Equal(TimeSpan.MaxValue, huge.Next());
    }

    [Fact(DisplayName = "A zero or negative initial delay, or a maximum below it, is refused")]
    public void Refuses_bad_bounds()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryBackoff(TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryBackoff(TimeSpan.FromSeconds(-1), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
    }
}
