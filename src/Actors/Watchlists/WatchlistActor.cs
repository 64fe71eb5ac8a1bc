using ActorQuotes.Actors.Catalog;
using ActorQuotes.Actors.Persistence;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Watchlists;
using Akka.Actor;
using ActorQuotes.Actors.Observability;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Persistence;

namespace ActorQuotes.Actors.Watchlists;

/// <summary>
/// One user's watchlist, sharded by id and event-sourced. Replies to every <see cref="IWatchlistRequest"/>
/// with <see cref="WatchlistView"/>, <see cref="WatchlistDeletedReply"/>, <see cref="WatchlistAbandonedReply"/> or
/// <see cref="WatchlistCommandRejected"/>, only after the events are journaled; publishes each change on
/// <see cref="Topics.Watchlist"/>.
/// Runs as the child of a <see cref="DurableEntityHost"/> (see <see cref="EntityProps"/>), which it tells
/// its state after recovery and after each change.
/// </summary>
public sealed class WatchlistActor : ReceivePersistentActor
{
    /// <summary>A snapshot every this many events keeps recovery short however long the history.</summary>
    public const int SnapshotEvery = 100;

    private readonly CompanyCatalog _catalog;
    private readonly IActorRef _mediator;
    private readonly TimeProvider _clock;
    private WatchlistState _state;
    private IActorRef? _awaitingWrite;
    private bool _stopWhenWritten;

    public WatchlistActor(long watchlistId, CompanyCatalog catalog, IActorRef mediator, TimeProvider clock)
    {
        _catalog = catalog;
        _mediator = mediator;
        _clock = clock;
        _state = WatchlistState.Empty(watchlistId);
        PersistenceId = PersistenceIdFor(watchlistId);

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is WatchlistSnapshot snapshot)
            {
                _state = WatchlistState.FromSnapshot(snapshot);
            }
        });
        Recover<IWatchlistEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => Context.Parent.Tell(new JournaledState(_state)));
        Command<IWatchlistRequest>(Handle);
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(_ => { }); // the events are the truth; the next snapshot tries again
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
        Command<StopEntity>(_ =>
        {
            // A stop that comes while a write waits for its reply (the host may ask to passivate right after
            // a create it forwarded) stops once that caller has its answer.
            if (_awaitingWrite is null)
            {
                Context.Stop(Self);
            }
            else
            {
                _stopWhenWritten = true;
            }
        });
    }

    public override string PersistenceId { get; }

    public static string PersistenceIdFor(long watchlistId) => "watchlist-" + watchlistId;

    public static Props Props(long watchlistId, CompanyCatalog catalog, IActorRef mediator, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new WatchlistActor(watchlistId, catalog, mediator, clock));

    /// <summary>The sharded entity: this actor behind a <see cref="DurableEntityHost"/>.</summary>
    public static Props EntityProps(long watchlistId, CompanyCatalog catalog, IActorRef mediator, TimeProvider clock) =>
        DurableEntityHost.Props(
            Props(watchlistId, catalog, mediator, clock),
            (state, message) => state is WatchlistState s ? AnswerFromMemory(s, message) : null,
            message => new WatchlistCommandRejected(watchlistId, WatchlistRejection.Unavailable, "the journal is unavailable; try again"),
            StopEntity.Instance);

    /// <summary>
    /// What the host answers without the journal: reads, and retries of keyed writes it remembers (so a retry
    /// after a 504 gets its first answer even while the journal is down). Null for anything else.
    /// </summary>
    public static object? AnswerFromMemory(WatchlistState state, object message) => message switch
    {
        GetWatchlist query => state.Read(query),
        IWatchlistRequest request when state.Remembered(request) is { } remembered => (object?)remembered.Replay ?? remembered.Rejection,
        _ => null,
    };

    /// <summary>
    /// Issue 22 item 7: a request for an id that was never created (a guess, a stale link) or that was deleted
    /// was answered from a recovered state with nothing in it; keeping the entity would cost memory per guessed
    /// id until idle passivation (2 min). The entity leaves at once instead; a later request recovers it again
    /// (one journal read, as it would after idle passivation). Commands wait while a write is journaled, so
    /// the state seen here is never one a create is about to change.
    /// </summary>
    private void PassivateIfNothing()
    {
        if (!_state.Created || _state.Deleted)
        {
            Context.Parent.Tell(NothingToKeep.Instance);
        }
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        Context.Parent.Tell(JournalFailed.Instance); // first, so the host has stopped forwarding before the caller retries
        // Akka stops this actor next; the caller hears it now instead of timing out.
        // Akka: after a persist failure the event may or may not have been stored. So not "nothing changed".
        _awaitingWrite?.Tell(new WatchlistCommandRejected(_state.WatchlistId, WatchlistRejection.OutcomeUnknown,
            "the journal write failed; the change may or may not have been stored"));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    private void Handle(IWatchlistRequest command)
    {
        var decision = _state.Decide(command, _clock.GetUtcNow(), _catalog);
        if (decision.Rejection is { } rejection)
        {
            Sender.Tell(rejection);
            PassivateIfNothing();
            return;
        }

        if (decision.Replay is { } replay)
        {
            Sender.Tell(replay);
            PassivateIfNothing();
            return;
        }

        if (decision.Events.IsEmpty)
        {
            Sender.Tell(_state.ToView());
            return;
        }

        var replyTo = Sender;
        _awaitingWrite = replyTo;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        PersistAll(decision.Events, e =>
        {
            _state = _state.Apply(e);
            if (LastSequenceNr % SnapshotEvery == 0)
            {
                SaveSnapshot(_state.ToSnapshot());
            }
        });
        DeferAsync(command, _ =>
        {
            var metrics = NodeMetrics.Get(Context.System);
            metrics.JournalWriteSeconds.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            _awaitingWrite = null;
            Context.Parent.Tell(new JournaledState(_state));
            if (_state.Abandoned && !_state.Created)
            {
                replyTo.Tell(new WatchlistAbandonedReply(_state.WatchlistId)); // nothing to publish: nobody could have watched it
                PassivateIfNothing();
            }
            else if (_state.Deleted)
            {
                replyTo.Tell(new WatchlistDeletedReply(_state.WatchlistId));
                _mediator.Tell(new Publish(Topics.Watchlist(_state.WatchlistId), new WatchlistGone(_state.WatchlistId)));
                metrics.Published("watchlist");
            }
            else
            {
                var view = _state.ToView();
                replyTo.Tell(view);
                _mediator.Tell(new Publish(Topics.Watchlist(_state.WatchlistId), new WatchlistChanged(view)));
                metrics.Published("watchlist");
            }

            if (_stopWhenWritten)
            {
                Context.Stop(Self);
            }
        });
    }
}
