using System.Collections.Concurrent;

namespace ActorQuotes.Gateway.Streaming;

/// <summary>Open WebSockets on this node per user, to enforce <c>Streaming:MaxSocketsPerUser</c>.</summary>
public sealed class SocketRegistry
{
    private readonly ConcurrentDictionary<long, int> _perUser = new();

    /// <summary>Counts a new socket for the user unless that would pass <paramref name="max"/>.</summary>
    public bool TryOpen(long userId, int max)
    {
        while (true)
        {
            var current = _perUser.GetOrAdd(userId, 0);
            if (current >= max)
            {
                return false;
            }

            if (_perUser.TryUpdate(userId, current + 1, current))
            {
                return true;
            }
        }
    }

    public void Close(long userId) => _perUser.AddOrUpdate(userId, 0, (_, n) => Math.Max(0, n - 1));

    public int OpenFor(long userId) => _perUser.GetValueOrDefault(userId);

    public int Total => _perUser.Values.Sum();
}
