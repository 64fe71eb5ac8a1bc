using ActorQuotes.Actors.Accounts;

namespace ActorQuotes.Actors.Tests;

public sealed class LoginThrottleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);

    [Fact(DisplayName = "Five failures are free; then each failure locks for 30 s, doubling up to 15 minutes; a success resets")]
    public void Backoff_schedule()
    {
        var throttle = new LoginThrottle();
        for (var i = 0; i < 4; i++)
        {
            throttle.Record(false, T0);
            Assert.False(throttle.IsLocked(T0));
        }

        throttle.Record(false, T0);
        Assert.Equal(T0.AddSeconds(30), throttle.LockedUntil);
        Assert.True(throttle.IsLocked(T0.AddSeconds(29)));
        Assert.False(throttle.IsLocked(T0.AddSeconds(30)));

        throttle.Record(false, T0.AddSeconds(30));
        Assert.Equal(T0.AddSeconds(90), throttle.LockedUntil);
        for (var i = 0; i < 10; i++)
        {
            throttle.Record(false, T0);
        }

        Assert.Equal(T0.AddMinutes(15), throttle.LockedUntil);

        throttle.Record(true, T0);
        Assert.False(throttle.IsLocked(T0));
        throttle.Record(false, T0);
        Assert.False(throttle.IsLocked(T0));
    }
}
