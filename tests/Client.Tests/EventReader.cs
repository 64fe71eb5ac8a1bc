namespace ActorQuotes.Client.Tests;

/// <summary>
/// Reads a stream's enumeration one event at a time with a bounded wait per step, keeping what it read, so a
/// test can act between events (ingest, restart the server) on the same enumeration.
/// </summary>
internal sealed class EventReader : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private readonly CancellationTokenSource _stop = new();
    private readonly IAsyncEnumerator<StreamEvent> _events;
    private Task<bool>? _pending;

    public EventReader(Func<CancellationToken, IAsyncEnumerable<StreamEvent>> read) =>
        _events = read(_stop.Token).GetAsyncEnumerator(_stop.Token);

    /// <summary>Every event read so far, in order.</summary>
    public List<StreamEvent> Seen { get; } = [];

    /// <summary>The next event; null when the enumeration ended. Rethrows what ended it.</summary>
    public async Task<StreamEvent?> NextAsync(TimeSpan? wait = null)
    {
        _pending ??= _events.MoveNextAsync().AsTask();
        await _pending.WaitAsync(wait ?? Wait);
        var more = await _pending;
        _pending = null;
        if (!more)
        {
            return null;
        }

        Seen.Add(_events.Current);
        return _events.Current;
    }

    /// <summary>Reads until an event of type <typeparamref name="T"/> that matches; fails after <see cref="Wait"/>.</summary>
    public async Task<T> NextAsync<T>(Func<T, bool>? match = null)
        where T : StreamEvent
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"no {typeof(T).Name} within {Wait}; saw {string.Join(", ", Seen.Select(e => e.GetType().Name))}");
            }

            var next = await NextAsync(left) ?? throw new InvalidOperationException($"the stream ended before a {typeof(T).Name}");
            if (next is T t && (match is null || match(t)))
            {
                return t;
            }
        }
    }

    /// <summary>The next event that is not a heartbeat (they come every second on the test gateway).</summary>
    public async Task<StreamEvent?> NextNotHeartbeatAsync()
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var next = await NextAsync(Max(deadline - DateTime.UtcNow, TimeSpan.Zero));
            if (next is not Heartbeat)
            {
                return next;
            }
        }
    }

    /// <summary>Reads to the end within <see cref="Wait"/>; returns the exception that ended it (null for a plain end).</summary>
    public async Task<Exception?> ReadToEndAsync()
    {
        var deadline = DateTime.UtcNow + Wait;
        try
        {
            while (await NextAsync(Max(deadline - DateTime.UtcNow, TimeSpan.Zero)) is not null)
            {
            }

            return null;
        }
        catch (Exception e) when (e is not TimeoutException)
        {
            return e;
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (_pending is not null)
            {
                await _pending.WaitAsync(Wait);
            }

            await _events.DisposeAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or StreamClosedException or TimeoutException)
        {
            // A test that failed midway leaves a read in flight; it ends with the cancellation.
        }

        _stop.Dispose();
    }
}
