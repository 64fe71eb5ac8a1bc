using ActorQuotes.Actors.Accounts;
using ActorQuotes.Contracts.Accounts;

namespace ActorQuotes.Actors.Tests;

/// <summary>The login lockout and the checks under way, as pure functions: no actor system, no journal.</summary>
public sealed class LoginThrottleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);

    [Fact(DisplayName = "Five failures are free; then each failure locks for 30 s, doubling up to 15 minutes")]
    public void Backoff_schedule()
    {
        var throttle = LoginThrottle.Free;
        for (var i = 0; i < 4; i++)
        {
            throttle = throttle.Failed(T0);
            Assert.False(throttle.IsLocked(T0));
            Assert.Equal(4 - i, throttle.Allowance(T0));
        }

        throttle = throttle.Failed(T0);
        Assert.Equal(T0.AddSeconds(30), throttle.LockedUntil);
        Assert.True(throttle.IsLocked(T0.AddSeconds(29)));
        Assert.Equal(0, throttle.Allowance(T0.AddSeconds(29)));
        Assert.False(throttle.IsLocked(T0.AddSeconds(30)));
        Assert.Equal(1, throttle.Allowance(T0.AddSeconds(30)));

        throttle = throttle.Failed(T0.AddSeconds(30));
        Assert.Equal(T0.AddSeconds(90), throttle.LockedUntil);
        for (var i = 0; i < 10; i++)
        {
            throttle = throttle.Failed(T0);
        }

        Assert.Equal(T0.AddMinutes(15), throttle.LockedUntil);
    }

    [Fact(DisplayName = "A registered account journals every failure and a success only when it clears failures; an unknown name journals nothing")]
    public void Results_are_journaled_for_registered_accounts()
    {
        var account = AccountState.Empty("alice").Apply(new AccountRegistered(1, "alice", "hash", T0));

        Assert.Null(account.DecideLoginResult(succeeded: true, T0));
        var failed = Assert.IsType<LoginFailed>(account.DecideLoginResult(succeeded: false, T0));
        for (var i = 0; i < LoginThrottle.FreeAttempts; i++)
        {
            account = account.Apply(failed);
        }

        Assert.Equal(T0.AddSeconds(30), account.Login.LockedUntil);
        var cleared = Assert.IsType<LoginFailuresCleared>(account.DecideLoginResult(succeeded: true, T0.AddSeconds(30)));
        Assert.Equal(LoginThrottle.Free, account.Apply(cleared).Login);
        Assert.Null(AccountState.Empty("mallory").DecideLoginResult(succeeded: false, T0));
    }

    [Fact(DisplayName = "The lockout survives a snapshot, as it survives a replay of its events")]
    public void Lockout_survives_a_snapshot()
    {
        var account = AccountState.Empty("alice").Apply(new AccountRegistered(1, "alice", "hash", T0));
        for (var i = 0; i < LoginThrottle.FreeAttempts; i++)
        {
            account = account.Apply(new LoginFailed(T0));
        }

        var restored = AccountState.FromSnapshot(account.ToSnapshot());

        Assert.Equal(account.Login, restored.Login);
        Assert.True(restored.Login.IsLocked(T0.AddSeconds(1)));
    }

    [Fact(DisplayName = "Concurrent checks never exceed the allowance: 60 at once get the five free ones, the rest wait a second")]
    public void Concurrent_guesses_are_capped()
    {
        var attempts = LoginAttempts.None;
        var admitted = 0;
        var refusals = new List<DateTimeOffset>();
        for (var i = 0; i < 60; i++)
        {
            var (next, refusedUntil) = attempts.Begin(LoginThrottle.Free, T0);
            attempts = next;
            if (refusedUntil is { } until)
            {
                refusals.Add(until);
            }
            else
            {
                admitted++;
            }
        }

        Assert.Equal(LoginThrottle.FreeAttempts, admitted);
        Assert.All(refusals, until => Assert.Equal(T0 + LoginAttempts.Busy, until));
        Assert.NotNull(attempts.Begin(LoginThrottle.Free, T0).RefusedUntil);
        Assert.Null(attempts.Finish().Begin(LoginThrottle.Free, T0).RefusedUntil);
    }

    [Fact(DisplayName = "A check whose result never comes stops counting after 30 s")]
    public void Lost_results_expire()
    {
        var attempts = LoginAttempts.None;
        for (var i = 0; i < LoginThrottle.FreeAttempts; i++)
        {
            attempts = attempts.Begin(LoginThrottle.Free, T0).Next;
        }

        Assert.NotNull(attempts.Begin(LoginThrottle.Free, T0.AddSeconds(29)).RefusedUntil);
        Assert.Null(attempts.Begin(LoginThrottle.Free, T0 + LoginAttempts.Expiry).RefusedUntil);
    }
}
