using System.Buffers;
using ActorQuotes.Actors.Observability;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Accounts;
using ActorQuotes.Contracts.Frames;
using ActorQuotes.Contracts.Sessions;
using ActorQuotes.Contracts.Tickers;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;

namespace ActorQuotes.Actors.Sessions;

/// <summary>
/// What both WebSocket sessions share: at most one frame in flight on the socket (so a slow client only
/// delays itself), at most one frame per interval with everything in between conflated by the subclass,
/// a per-socket <c>sequence</c>, heartbeats on a quiet link, 4408 for a client that stops reading, and
/// 4401 when the token is logged out or expires. Subclasses say when they have something to send and
/// write it into the session's one reused buffer.
/// </summary>
public abstract class StreamSessionActor : ReceiveActor, IWithTimers
{
    private readonly IFrameSink _sink;
    // Sized for a quote frame; it grows once to the largest frame the session writes (watchlists) and stays.
    private readonly ArrayBufferWriter<byte> _buffer = new(512);
    private readonly System.Text.Json.Utf8JsonWriter _writer;
    private bool _inFlight;
    private DateTimeOffset _lastSentAt = DateTimeOffset.MinValue;
    private DateTimeOffset _lastFrameAt;
    private DateTimeOffset _openedAt;

    // Per-session counters for `aq sessions list`: plain fields, read only by the actor itself.
    private long _framesSent;
    private long _conflated;

    // Quotes come through this node's QuoteHubActor into one slot per followed symbol.
    private readonly QuoteInbox _inbox;

    // A bad client message's error frame waits here for the socket: at most one (a newer one replaces it).
    private string? _errorCode;
    private string _errorMessage = string.Empty;

    // Bad client messages in the current window (Streaming:MaxBadMessages per Streaming:BadMessageWindow).
    private int _badMessages;
    private DateTimeOffset _badWindowEndsAt = DateTimeOffset.MinValue;

    // The close this session asked for, so an abort can still try to put it on the connection.
    private int _closeCode;
    private string _closeReason = string.Empty;

    protected StreamSessionActor(SessionUser user, IFrameSink sink, SessionServices services, TimeSpan interval)
    {
        User = user;
        _sink = sink;
        Services = services;
        Interval = interval;
        _writer = FrameWriter.CreateWriter(_buffer);
        Metrics = NodeMetrics.Get(Context.System);
        _inbox = new QuoteInbox(Self);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected SessionUser User { get; }

    protected SessionServices Services { get; }

    protected TimeSpan Interval { get; }

    protected ILoggingAdapter Log { get; } = Context.GetLogger();

    /// <summary>This node's counters (frames, conflation, slow consumers).</summary>
    protected NodeMetrics Metrics { get; }

    /// <summary>The watchlist this session streams, or null for a quote stream.</summary>
    protected virtual long? WatchlistId => null;

    /// <summary>The symbols this session follows now.</summary>
    protected abstract IReadOnlyCollection<string> FollowedSymbols { get; }

    /// <summary>Frames written so far; the last one carried this number as its <c>sequence</c>.</summary>
    protected long Sequence { get; private set; }

    /// <summary>True once the session is closing: nothing more is sent.</summary>
    protected bool Closing { get; private set; }

    protected DateTimeOffset Now => Services.Clock.GetUtcNow();

    /// <summary>The session's one JSON writer over its one buffer: building a frame allocates nothing.</summary>
    protected System.Text.Json.Utf8JsonWriter JsonWriter => _writer;

    /// <summary>How often the periodic check runs (at most 1 s).</summary>
    protected TimeSpan WatchPeriod { get; private set; } = TimeSpan.FromSeconds(1);

    /// <summary>When the last frame (of any kind) was handed to the socket.</summary>
    protected DateTimeOffset LastFrameAt => _lastFrameAt;

    /// <summary>Whether there is a frame to send now (the base adds pacing and flow control).</summary>
    protected abstract bool HasFrame { get; }

    /// <summary>Writes the next frame (numbered <paramref name="sequence"/>) and clears what it covered.</summary>
    protected abstract void WriteFrame(IBufferWriter<byte> buffer, long sequence, DateTimeOffset now);

    /// <summary>
    /// A quote of a followed symbol, newer than the last one the fan-out offered to this session. The base
    /// sends what is due once the whole batch is in (<see cref="MaybeSend"/>), so this only records it.
    /// </summary>
    protected abstract void OnQuote(QuoteSlot slot, SharedQuote quote);

    /// <summary>
    /// Whether <paramref name="quote"/> may be recorded as the symbol's newest: its sequence is above the last
    /// one this session accepted for the symbol. The fan-out already drops older ones; this keeps the
    /// promise per socket whatever reaches the slot (a lower one is counted as stale, an equal one is a repeat).
    /// </summary>
    protected bool IsNext(QuoteSlot slot, Quote quote)
    {
        if (quote.IsNewerThan(slot.Latest))
        {
            return true;
        }

        if (quote.Sequence < slot.Latest!.Sequence)
        {
            Metrics.StaleQuotesDropped.Add(1);
        }

        return false;
    }

    /// <summary>Starts following a symbol's quotes: the node's fan-out sends the current quote, then every newer one.</summary>
    protected QuoteSlot FollowQuotes(string symbol)
    {
        var slot = new QuoteSlot(symbol, _inbox);
        Services.QuoteHub.Tell(new FollowQuotes(slot));
        return slot;
    }

    /// <summary>Stops following: a quote already offered to the slot is dropped.</summary>
    protected void UnfollowQuotes(QuoteSlot slot)
    {
        slot.Close();
        Services.QuoteHub.Tell(new UnfollowQuotes(slot));
    }

    /// <summary>Whether the interval applies to this frame (the first frame of a stream goes at once).</summary>
    protected virtual bool Paced => true;

    protected override void PostStop() => _writer.Dispose();

    /// <summary>The hot message goes straight to its handler, before the behaviour's list of handlers is matched.</summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        if (message is QuotesReady)
        {
            TakeQuotes();
            return true;
        }

        return base.AroundReceive(receive, message);
    }

    protected override void PreStart()
    {
        // Logout anywhere in the cluster ends the stream with 4401; so does the token running out, which the
        // periodic check below looks at (at most one period late).
        Services.Mediator.Tell(new Subscribe(Topics.Account(User.Username), Self));
        _lastFrameAt = Now;
        _openedAt = _lastFrameAt;
        if (_openedAt >= User.TokenExpiresAt)
        {
            Self.Tell(Watch.Instance);
        }

        // One periodic check per session, rather than timers restarted for every frame or one timer per
        // deadline: token expiry, heartbeats, the slow-consumer rule and the subclass's own cadence compare
        // times on each check.
        var options = Services.Options;
        WatchPeriod = new[] { TimeSpan.FromSeconds(1), options.HeartbeatAfter / 2, options.SlowConsumerTimeout / 2 }.Min();
        Timers.StartPeriodicTimer("watch", Watch.Instance, WatchPeriod);
    }

    /// <summary>Called on each periodic check, after the base's own rules.</summary>
    protected virtual void OnWatch(DateTimeOffset now)
    {
    }

    /// <summary>Handlers every behaviour of a session needs; call it last in each behaviour.</summary>
    protected void CommonHandlers()
    {
        Receive<TokenRevokedNotice>(n => n.TokenId == User.TokenId, _ =>
            CloseWith(CloseCodes.Unauthorized, CloseCodes.UnauthorizedCode, "logged out"));
        Receive<TokenRevokedNotice>(_ => { });
        Receive<FrameSent>(_ =>
        {
            _inFlight = false;
            MaybeSend();
        });
        Receive<Flush>(_ => MaybeSend());
        Receive<QuotesReady>(_ => TakeQuotes());
        Receive<Watch>(_ =>
        {
            var now = Now;
            if (now >= User.TokenExpiresAt)
            {
                CloseWith(CloseCodes.Unauthorized, CloseCodes.UnauthorizedCode, "token expired");
                return;
            }

            // While a frame is in flight, the last frame is the one the socket has not taken yet.
            if (_inFlight && !Closing && now - _lastFrameAt >= Services.Options.SlowConsumerTimeout)
            {
                Log.Info("Session {0} closes a client that stopped reading", Self.Path.Name);
                Metrics.SlowConsumerCloses.Add(1);
                CloseWith(CloseCodes.SlowConsumer, CloseCodes.SlowConsumerCode, "the client did not read its frames");
                Timers.StartSingleTimer("abort", AbortNow.Instance, Services.Options.SlowConsumerCloseGrace);
                return;
            }

            if (!_inFlight && !Closing && now - _lastFrameAt >= Services.Options.HeartbeatAfter)
            {
                SendHeartbeat();
                return;
            }

            OnWatch(now);
        });
        Receive<AbortNow>(_ =>
        {
            _sink.Abort(_closeCode, _closeReason);
            Context.Stop(Self);
        });
        Receive<SendFailed>(failed =>
        {
            Log.Debug("Session {0} stops: send failed ({1})", Self.Path.Name, failed.Cause.Message);
            Context.Stop(Self);
        });
        Receive<GetSessionInfo>(_ => Sender.Tell(new SessionInfo(User.UserId, User.Username, WatchlistId,
            FollowedSymbols.ToArray(), _framesSent, _conflated + _inbox.Conflated, _openedAt)));
        Receive<KickSession>(kick =>
        {
            Log.Info("Session {0} closed by an operator: {1}", Self.Path.Name, kick.Reason);
            CloseWith(CloseCodes.PolicyViolation, CloseCodes.PolicyViolationCode, kick.Reason);
        });
        Receive<Closed>(_ => Context.Stop(Self));
        Receive<SessionStop>(_ => Context.Stop(Self));
        Receive<SubscribeAck>(_ => { });
        Receive<UnsubscribeAck>(_ => { });
    }

    /// <summary>
    /// Takes the batch of quotes waiting in this session's slots (at most one per followed symbol), then
    /// sends what is due once for the whole batch: one clock read and one counter update per batch rather
    /// than per quote.
    /// </summary>
    private void TakeQuotes()
    {
        if (_inbox.TakeBatch() is not { } batch)
        {
            return;
        }

        while (batch.TryDequeue(out var slot))
        {
            if (slot.Take() is { } quote && !slot.Closed)
            {
                OnQuote(slot, quote);
            }
        }

        MaybeSend();
    }

    /// <summary>Sends a frame now if one is due and the socket is free, or schedules it for when it is.</summary>
    protected void MaybeSend()
    {
        // A frame the socket takes at once (the usual case: Kestrel buffers it) frees the session for the
        // next one right here; only a send that has to wait comes back later as FrameSent.
        var now = Now;
        var sent = 0;
        while (!_inFlight && !Closing)
        {
            // An error frame is not paced and carries no sequence; it goes ahead of the next data frame.
            if (_errorCode is { } code)
            {
                _buffer.ResetWrittenCount();
                FrameWriter.WriteError(_buffer, code, _errorMessage, _writer);
                _errorCode = null;
                _errorMessage = string.Empty;
                sent++;
                Send(now);
                continue;
            }

            if (!HasFrame)
            {
                break;
            }

            if (!DueNow())
            {
                if (!Timers.IsTimerActive("flush"))
                {
                    Timers.StartSingleTimer("flush", Flush.Instance, _lastSentAt + Interval - now);
                }

                break;
            }

            _buffer.ResetWrittenCount();
            WriteFrame(_buffer, ++Sequence, now);
            _lastSentAt = now;
            sent++;

            // Whether this loop sends another frame right after this one, if the socket takes this one at
            // once (the loop's own test): then the sink may hold this frame and write the batch with its
            // last one (one write to the connection per batch).
            Send(now, more: HasFrame && DueNow());
        }

        if (sent > 0)
        {
            Metrics.FramesSent.Add(sent);
        }

        // The interval allows a frame now (or the frame is not paced).
        bool DueNow() => !Paced || now >= _lastSentAt + Interval;
    }

    /// <summary>
    /// Counts a quote that replaced an unsent quote of the same symbol: it will be folded into a later
    /// frame because one was in flight or the interval had not passed.
    /// </summary>
    protected void CountConflated()
    {
        _conflated++;
        Metrics.UpdatesConflated.Add(1);
    }

    /// <summary>Sends one error frame, then closes with <paramref name="closeCode"/> and stops.</summary>
    protected void CloseWith(int closeCode, string errorCode, string message)
    {
        if (Closing)
        {
            return;
        }

        Closing = true;
        _closeCode = closeCode;
        _closeReason = errorCode;
        _errorCode = null; // the close's own error frame says why
        Timers.Cancel("flush");
        var sink = _sink;
        var frame = FrameWriter.ErrorFrame(errorCode, message);
        CloseAsync().PipeTo(Self, success: () => Closed.Instance, failure: ex => new SendFailed(ex));

        async Task CloseAsync()
        {
            await sink.SendAsync(frame).ConfigureAwait(false);
            await sink.CloseAsync(closeCode, errorCode).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A bad client message: answered by an error frame that does not end the stream. The frame goes through
    /// the session's own flow (one frame in flight), and at most one waits for the socket, a newer one
    /// replacing it, so a client that sends bad messages and never reads costs one small frame, not one per
    /// message (issue 22). More than <see cref="StreamingOptions.MaxBadMessages"/> within
    /// <see cref="StreamingOptions.BadMessageWindow"/> close the socket with 4422 instead. False once closing.
    /// </summary>
    protected bool RejectClientMessage(string code, string message)
    {
        if (Closing)
        {
            return false;
        }

        var now = Now;
        var options = Services.Options;
        if (now >= _badWindowEndsAt)
        {
            _badWindowEndsAt = now + options.BadMessageWindow;
            _badMessages = 0;
        }

        if (++_badMessages > options.MaxBadMessages)
        {
            Log.Info("Session {0} closes a client that sent more than {1} bad messages", Self.Path.Name, options.MaxBadMessages);
            CloseWith(CloseCodes.TooManyBadMessages, CloseCodes.TooManyBadMessagesCode,
                $"more than {options.MaxBadMessages} bad messages within {options.BadMessageWindow.TotalSeconds:0.###} s");
            return false;
        }

        _errorCode = code;
        _errorMessage = message;
        MaybeSend();
        return true;
    }

    private void SendHeartbeat()
    {
        var now = Now;
        _buffer.ResetWrittenCount();
        FrameWriter.WriteHeartbeat(_buffer, ++Sequence, now, _writer); // not data: it does not hold back the next frame
        Metrics.FramesSent.Add(1);
        Send(now);
        MaybeSend();
    }

    /// <summary>
    /// Hands the buffer's frame to the socket (<paramref name="more"/>: another follows at once if this one
    /// is taken at once); the caller counts it in <see cref="NodeMetrics.FramesSent"/>.
    /// </summary>
    private void Send(DateTimeOffset now, bool more = false)
    {
        _lastFrameAt = now;
        _framesSent++;
        var sending = _sink.SendAsync(_buffer.WrittenMemory, more);
        if (sending.IsCompletedSuccessfully)
        {
            // The socket copied the frame: the buffer is free and nothing is in flight.
            return;
        }

        // The buffer stays untouched until the socket has taken it (FrameSent), or the session ends (SendFailed).
        _inFlight = true;
        sending.PipeTo(Self, success: () => FrameSent.Instance, failure: ex => new SendFailed(ex));
    }

    private sealed class Flush
    {
        public static readonly Flush Instance = new();
    }

    private sealed class Watch
    {
        public static readonly Watch Instance = new();
    }

    private sealed class AbortNow
    {
        public static readonly AbortNow Instance = new();
    }

    private sealed class FrameSent
    {
        public static readonly FrameSent Instance = new();
    }

    private sealed class Closed
    {
        public static readonly Closed Instance = new();
    }

    private sealed record SendFailed(Exception Cause);
}
