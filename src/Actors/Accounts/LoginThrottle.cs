using System.Collections.Immutable;

namespace ActorQuotes.Actors.Accounts;

/// <summary>
/// Slows down password guessing for one username: after <see cref="FreeAttempts"/> failures in a row, each
/// further failure locks logins for 30 s, doubling up to 15 minutes. A success resets it. Pure: for a
/// registered account it is part of <see cref="AccountState"/> and changes only through journaled events
/// (<c>LoginFailed</c>, <c>LoginFailuresCleared</c>), so a restart or a passivation forgets nothing. The
/// writes an attacker can drive stay bounded: five, then one per lock period.
/// </summary>
public sealed record LoginThrottle(int Failures, DateTimeOffset LockedUntil)
{
    public const int FreeAttempts = 5;
    public static readonly TimeSpan FirstLock = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MaxLock = TimeSpan.FromMinutes(15);

    public static readonly LoginThrottle Free = new(0, DateTimeOffset.MinValue);

    public bool IsLocked(DateTimeOffset now) => now < LockedUntil;

    /// <summary>How many password checks may run now: the free attempts left, one once they are used, none while locked.</summary>
    public int Allowance(DateTimeOffset now) => IsLocked(now) ? 0 : Failures < FreeAttempts ? FreeAttempts - Failures : 1;

    public LoginThrottle Failed(DateTimeOffset at)
    {
        var failures = Failures + 1;
        if (failures < FreeAttempts)
        {
            return this with { Failures = failures };
        }

        var doublings = Math.Min(failures - FreeAttempts, 10);
        var lockFor = TimeSpan.FromTicks(Math.Min(FirstLock.Ticks << doublings, MaxLock.Ticks));
        return new LoginThrottle(failures, at + lockFor);
    }
}

/// <summary>
/// The password checks of one username under way (begun, result not yet recorded), so concurrent guesses
/// cannot exceed the throttle's allowance: 60 parallel guesses get the allowance's worth of checks, the rest
/// are told to wait. A check whose result never comes (its gateway died) stops counting after
/// <see cref="Expiry"/>. Held in memory: it lasts seconds.
/// </summary>
public sealed record LoginAttempts(ImmutableList<DateTimeOffset> Begun)
{
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(30);

    /// <summary>How long a caller refused only because the allowance is in use is asked to wait.</summary>
    public static readonly TimeSpan Busy = TimeSpan.FromSeconds(1);

    public static readonly LoginAttempts None = new(ImmutableList<DateTimeOffset>.Empty);

    /// <summary>Admits one check (the next attempts) or says until when to wait.</summary>
    public (LoginAttempts Next, DateTimeOffset? RefusedUntil) Begin(LoginThrottle throttle, DateTimeOffset now)
    {
        if (throttle.IsLocked(now))
        {
            return (this, throttle.LockedUntil);
        }

        var live = Begun.RemoveAll(at => at + Expiry <= now);
        return live.Count < throttle.Allowance(now)
            ? (new LoginAttempts(live.Add(now)), null)
            : (new LoginAttempts(live), now + Busy);
    }

    /// <summary>One check has finished (its result is recorded).</summary>
    public LoginAttempts Finish() => Begun.IsEmpty ? this : new LoginAttempts(Begun.RemoveAt(0));
}
