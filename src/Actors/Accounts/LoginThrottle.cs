namespace ActorQuotes.Actors.Accounts;

/// <summary>
/// Slows down password guessing for one username: after <see cref="FreeAttempts"/> failures in a row,
/// each further failure locks logins for 30 s, doubling up to 15 minutes. A success resets it. Held in
/// memory only: failed logins must not turn into journal writes an attacker can drive.
/// </summary>
public sealed class LoginThrottle
{
    public const int FreeAttempts = 5;
    public static readonly TimeSpan FirstLock = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MaxLock = TimeSpan.FromMinutes(15);

    private int _failures;

    public DateTimeOffset LockedUntil { get; private set; } = DateTimeOffset.MinValue;

    public bool IsLocked(DateTimeOffset now) => now < LockedUntil;

    public void Record(bool succeeded, DateTimeOffset now)
    {
        if (succeeded)
        {
            _failures = 0;
            LockedUntil = DateTimeOffset.MinValue;
            return;
        }

        _failures++;
        if (_failures >= FreeAttempts)
        {
            var doublings = Math.Min(_failures - FreeAttempts, 10);
            var lockFor = TimeSpan.FromTicks(Math.Min(FirstLock.Ticks << doublings, MaxLock.Ticks));
            LockedUntil = now + lockFor;
        }
    }
}
