using System.Collections.Concurrent;
using System.Globalization;
using Akka.Actor;

namespace ActorQuotes.Gateway.Streaming;

/// <summary>
/// The WebSocket sessions open on this node, by socket id, for <c>aq sessions list|kick</c>, the
/// sockets-open gauge and the shutdown drain. Socket ids are short decimal numbers, unique on the node for
/// its lifetime.
/// </summary>
public sealed class LiveSessions
{
    private readonly ConcurrentDictionary<string, LiveSession> _sessions = new(StringComparer.Ordinal);
    private readonly CancellationToken _stopping;
    private long _lastId;

    public LiveSessions(IHostApplicationLifetime lifetime)
    {
        // On shutdown every socket is told to reconnect elsewhere (1012); the client's answer ends its stream.
        // One registration for the node rather than one per socket.
        _stopping = lifetime.ApplicationStopping;
        _stopping.Register(static state => ((LiveSessions)state!).Drain(), this);
    }

    public int Count => _sessions.Count;

    public IReadOnlyCollection<LiveSession> All => _sessions.Values.ToArray();

    /// <summary>Adds a session and its socket (opened with token <paramref name="tokenId"/>); disposing the result removes it.</summary>
    public IDisposable Add(IActorRef session, string stream, WebSocketFrameSink sink, string? tokenId = null)
    {
        var id = Interlocked.Increment(ref _lastId).ToString(CultureInfo.InvariantCulture);
        var entry = new LiveSession(id, stream, session, sink, tokenId);
        _sessions[id] = entry;

        // Added while the drain ran: it may not have seen this one. (The fence orders the add before the
        // look at the token, as cancelling the token is ordered before the drain's look at the sessions.)
        Interlocked.MemoryBarrier();
        if (_stopping.IsCancellationRequested)
        {
            sink.CloseForShutdown();
        }

        return new Registration(this, id);
    }

    public LiveSession? Find(string id) => _sessions.GetValueOrDefault(id);

    /// <summary>The sessions opened with one token (a logout closes them). A scan: logouts are rare next to frames.</summary>
    public IEnumerable<LiveSession> WithToken(string tokenId)
    {
        foreach (var session in _sessions.Values)
        {
            if (session.TokenId == tokenId)
            {
                yield return session;
            }
        }
    }

    private void Drain()
    {
        foreach (var session in _sessions.Values)
        {
            session.Sink.CloseForShutdown();
        }
    }

    private sealed class Registration(LiveSessions owner, string id) : IDisposable
    {
        public void Dispose() => owner._sessions.TryRemove(id, out _);
    }
}

/// <summary>
/// One open socket: its id, which stream (<c>watchlist</c> or <c>quotes</c>), its session actor, its socket (for
/// the shutdown drain) and the id of the token it was opened with (for a logout).
/// </summary>
public sealed record LiveSession(string Id, string Stream, IActorRef Session, WebSocketFrameSink Sink, string? TokenId = null);
