using ActorQuotes.Contracts;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;

namespace ActorQuotes.Actors.Persistence;

/// <summary>
/// The sharded entity in front of a persistent actor. Akka stops a persistent actor whose write or
/// recovery failed, which would drop its state and leave callers waiting; this host keeps the last
/// journaled state, so while the journal is down reads still answer from memory and writes are refused
/// at once with a typed "unavailable" reply. It restarts the persistent child with backoff, and goes
/// back to forwarding once the child has recovered.
/// </summary>
public sealed class DurableEntityHost : ReceiveActor, IWithTimers, IWithUnboundedStash
{
    /// <summary>
    /// A first recovery that fails is tried again this many times, 200 ms apart, with callers still
    /// waiting: right after a crash the store can refuse a first read (SQLite recovering its WAL, say).
    /// Only then are the waiting callers told "unavailable".
    /// </summary>
    private const int RecoveryRetries = 3;

    private readonly Props _journalProps;
    private readonly Func<object?, object, object?> _answerFromState;
    private readonly Func<object, object> _unavailable;
    private readonly object _stopMessage;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef? _journal;
    private object? _state;
    private readonly RetryBackoff _backoff = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10));
    private bool _recovered;
    private int _recoveryRetries;
    private bool _stopping;
    private bool _restartDue;
    private bool _passivating;

    /// <param name="journalProps">The persistent actor; it must tell its parent <see cref="JournaledState"/>.</param>
    /// <param name="answerFromState">A read answered from the last state, or null if the message is not a read.</param>
    /// <param name="unavailable">The typed refusal for a message while the journal cannot be reached.</param>
    /// <param name="stopMessage">The message that passivates the entity; forwarded so the child finishes its writes.</param>
    public DurableEntityHost(Props journalProps, Func<object?, object, object?> answerFromState, Func<object, object> unavailable, object stopMessage)
    {
        _journalProps = journalProps;
        _answerFromState = answerFromState;
        _unavailable = unavailable;
        _stopMessage = stopMessage;
        WithJournal();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    public static Props Props(Props journalProps, Func<object?, object, object?> answerFromState, Func<object, object> unavailable, object stopMessage) =>
        Akka.Actor.Props.Create(() => new DurableEntityHost(journalProps, answerFromState, unavailable, stopMessage));

    protected override void PreStart() => StartJournal();

    /// <summary>
    /// A journal child exists. Until it reports its recovered state, messages wait in the stash (reads
    /// are answered from memory if there is a last state); after that, it answers everything itself and
    /// reports each new state.
    /// </summary>
    private void WithJournal()
    {
        Receive<JournaledState>(s =>
        {
            _state = s.State;
            if (!_recovered)
            {
                _recovered = true;
                _recoveryRetries = 0;
                _backoff.Reset();
                Stash.UnstashAll();
            }
        });
        Receive<Terminated>(t => t.ActorRef.Equals(_journal), _ => JournalDied());
        // The child answered a request about something that does not exist. Passivation through the shard
        // (rather than stopping here) is Akka's own way for an entity to leave: the shard buffers whatever
        // arrives for this id meanwhile and hands it to a fresh incarnation once this one has stopped, so
        // a create that races the stop is not lost. Under a plain parent (tests) the request is just unhandled.
        Receive<NothingToKeep>(_ =>
        {
            if (!_passivating && !_stopping)
            {
                _passivating = true;
                Context.Parent.Tell(new Passivate(_stopMessage));
            }
        });
        // The child's write failed and it is stopping: from now on it answers nothing, so neither may it be sent anything.
        Receive<JournalFailed>(_ => GoUnavailable());
        Receive<RestartJournal>(_ =>
        {
            if (_journal is null)
            {
                StartJournal();
            }
        });
        ReceiveAny(message =>
        {
            if (message.Equals(_stopMessage))
            {
                Stop();
            }
            else if (_recovered)
            {
                _journal.Forward(message);
            }
            else if (_state is not null && _answerFromState(_state, message) is { } answer)
            {
                // A restarted child is recovering (it may wait on a journal that is still down): a read is
                // answered from the last journaled state, which is what the recovery will rebuild.
                Sender.Tell(answer);
            }
            else
            {
                Stash.Stash();
            }
        });
    }

    /// <summary>
    /// No working child: answer reads from memory, refuse the rest, and try the journal again later. A child
    /// whose write failed may still be stopping; the next one starts only once it has stopped.
    /// </summary>
    private void Unavailable()
    {
        Receive<RestartJournal>(_ =>
        {
            if (_journal is null)
            {
                StartJournal();
                Become(WithJournal);
            }
            else
            {
                _restartDue = true;
            }
        });
        Receive<JournaledState>(s => _state = s.State);
        Receive<JournalFailed>(_ => { });
        Receive<NothingToKeep>(_ => { });
        Receive<Terminated>(t =>
        {
            if (!t.ActorRef.Equals(_journal))
            {
                return;
            }

            _journal = null;
            if (_stopping)
            {
                Context.Stop(Self); // passivating when the write failed: the child's stop was what the host waited for
            }
            else if (_restartDue)
            {
                StartJournal();
                Become(WithJournal);
            }
        });
        ReceiveAny(message =>
        {
            if (message.Equals(_stopMessage))
            {
                Context.Stop(Self); // a failed child still stopping goes with it
                return;
            }

            Sender.Tell(_answerFromState(_state, message) ?? _unavailable(message));
        });
    }

    private void StartJournal()
    {
        _recovered = false;
        _restartDue = false;
        _journal = Context.Watch(Context.ActorOf(_journalProps, "journal"));
    }

    private void JournalDied()
    {
        if (_stopping)
        {
            Context.Stop(Self);
            return;
        }

        _journal = null;
        // Only an entity with nothing in memory waits: one that has state answers reads from it at once.
        if (!_recovered && _state is null && _recoveryRetries < RecoveryRetries)
        {
            _recoveryRetries++;
            Timers.StartSingleTimer("restart", RestartJournal.Instance, TimeSpan.FromMilliseconds(200));
            return;
        }

        GoUnavailable();
    }

    /// <summary>Serve from memory; the journal is tried again after the backoff (a failed child may still be stopping).</summary>
    private void GoUnavailable()
    {
        _recoveryRetries = 0;
        var delay = _backoff.Next();
        _log.Warning("Journal of {0} failed (a write or its recovery); serving reads from memory, retrying in {1}", Self.Path.Name, delay);
        Become(Unavailable);
        // Whatever waited for recovery gets its answer now rather than a timeout.
        Stash.UnstashAll();
        Timers.StartSingleTimer("restart", RestartJournal.Instance, delay);
    }

    private void Stop()
    {
        _stopping = true;
        _journal?.Tell(_stopMessage);
        if (_journal is null)
        {
            Context.Stop(Self);
        }
    }

    private sealed class RestartJournal
    {
        public static readonly RestartJournal Instance = new();
    }
}
