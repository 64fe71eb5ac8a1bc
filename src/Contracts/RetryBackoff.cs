namespace ActorQuotes.Contracts;

/// <summary>
/// The delay between attempts of a server-side retry loop: it starts at the initial delay, doubles after each
/// failed attempt and stops at the maximum; <see cref="Reset"/> after a success. No jitter (the .NET client's
/// reconnects have their own, randomised schedule). Not thread-safe: one per loop or actor.
/// </summary>
public sealed class RetryBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;

    public RetryBackoff(TimeSpan initial, TimeSpan max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        _initial = initial;
        _max = max;
        Current = initial;
    }

    /// <summary>The delay the next <see cref="Next"/> hands out.</summary>
    public TimeSpan Current { get; private set; }

    /// <summary>The delay to wait now; the one after it is twice as long, up to the maximum.</summary>
    public TimeSpan Next()
    {
        var delay = Current;
        Current = Current.Ticks <= _max.Ticks / 2 ? TimeSpan.FromTicks(Current.Ticks * 2) : _max;
        return delay;
    }

    /// <summary>Starts over from the initial delay.</summary>
    public void Reset() => Current = _initial;
}
