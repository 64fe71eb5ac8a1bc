namespace ActorQuotes.Gateway.Tests.Infrastructure;

/// <summary>
/// Bounded re-checking of state that has no change notification to await: an HTTP endpoint of another
/// process (<c>/health/ready</c>, <c>/metrics</c>, membership as a node reports it). Everything that can
/// signal (log lines, stream events, process exit) is awaited instead. A failed request counts as "not yet".
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(100);

    /// <summary>Whether <paramref name="condition"/> held within <paramref name="within"/>.</summary>
    public static async Task<bool> TrueWithin(TimeSpan within, Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return true;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // the other side is between answers; ask again
            }

            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(Every);
        }
    }

    public static Task<bool> TrueWithin(TimeSpan within, Func<bool> condition) =>
        TrueWithin(within, () => Task.FromResult(condition()));
}
