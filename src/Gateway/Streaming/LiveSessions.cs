using System.Collections.Concurrent;
using System.Globalization;
using Akka.Actor;

namespace ActorQuotes.Gateway.Streaming;

/// <summary>
/// The WebSocket sessions open on this node, by socket id, for <c>aq sessions list|kick</c> and the
/// sockets-open gauge. Socket ids are short decimal numbers, unique on the node for its lifetime.
/// </summary>
public sealed class LiveSessions
{
    private readonly ConcurrentDictionary<string, LiveSession> _sessions = new(StringComparer.Ordinal);
    private long _lastId;

    public int Count => _sessions.Count;

    public IReadOnlyCollection<LiveSession> All => _sessions.Values.ToArray();

    /// <summary>Adds a session; disposing the result removes it.</summary>
    public IDisposable Add(IActorRef session, string stream)
    {
        var id = Interlocked.Increment(ref _lastId).ToString(CultureInfo.InvariantCulture);
        var entry = new LiveSession(id, stream, session);
        _sessions[id] = entry;
        return new Registration(this, id);
    }

    public LiveSession? Find(string id) => _sessions.GetValueOrDefault(id);

    private sealed class Registration(LiveSessions owner, string id) : IDisposable
    {
        public void Dispose() => owner._sessions.TryRemove(id, out _);
    }
}

/// <summary>One open socket: its id, which stream (<c>watchlist</c> or <c>quotes</c>) and its session actor.</summary>
public sealed record LiveSession(string Id, string Stream, IActorRef Session);
