using System.Collections.Immutable;
using ActorQuotes.Actors.Catalog;
using ActorQuotes.Actors.Observability;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Tickers;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Persistence;

namespace ActorQuotes.Actors.Tickers;

/// <summary>
/// One symbol's latest quote, sharded by symbol. Accepts <see cref="Tick"/>s from feeds and
/// <see cref="IngestTick"/>s from the ingest API (answered <see cref="TickAccepted"/> or
/// <see cref="TickRejected"/>), publishes each accepted one as a <see cref="Quote"/> on
/// <see cref="Topics.Quotes"/> once, whatever the number of subscribers, answers <see cref="GetQuote"/>
/// and <see cref="GetTickerStats"/>, and rolls its previous close at its exchange's day close. A tick dated
/// beyond <see cref="TickerOptions.MaxFutureSkew"/> is refused, and an operator's <see cref="ResetTicker"/>
/// takes the symbol back to its previous close, so no tick can hold it out of order for long. It never
/// journals ticks: it snapshots every N ticks or T seconds, at the roll and when it stops, so a restarted
/// or moved ticker resumes its day. The only events it journals are reservations of quote sequence
/// numbers, one per block of numbers, written before the numbers are used, so an incarnation recovered
/// after a crash numbers its quotes above every quote an earlier one published.
/// </summary>
public sealed class TickerActor : ReceivePersistentActor, IWithTimers
{
    private readonly Company _company;
    private readonly ExchangeCalendar _calendar;
    private readonly IActorRef _mediator;
    private readonly TimeProvider _clock;
    private readonly TickerOptions _options;
    private readonly string _topic;
    private readonly NodeMetrics _metrics = NodeMetrics.Get(Context.System);
    private TickerState _state;
    private long _accepted;
    private ImmutableDictionary<TickRejection, long> _rejected = TickerState.NoRejections;
    private RejectedTick? _lastRejected;
    private int _unsaved;
    private bool _stopping;

    public TickerActor(Company company, IActorRef mediator, TickerOptions options, TimeProvider clock)
    {
        _company = company;
        _calendar = ExchangeCalendar.Find(company.Exchange)
                    ?? throw new ArgumentException($"No trading calendar for exchange '{company.Exchange}'.", nameof(company));
        _mediator = mediator;
        _clock = clock;
        _options = options;
        _topic = Topics.Quotes(company.TickerSymbol);
        var now = clock.GetUtcNow();
        _state = TickerState.Initial(company.TickerSymbol, company.PreviousClose, now, _calendar.NextDayClose(now));
        PersistenceId = "ticker-" + company.TickerSymbol;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is TickerSnapshot snapshot)
            {
                var now = _clock.GetUtcNow();
                _state = TickerState.FromSnapshot(snapshot, now, _options.LatestPlausible(now));
            }
        });
        Recover<QuoteSequencesReserved>(reservation => _state = _state.Apply(reservation));
        Recover<RecoveryCompleted>(_ =>
        {
            _state = _state.Recovered();
            Timers.StartPeriodicTimer("roll-check", RollCheck.Instance, _options.RollCheckInterval);
            // It may have been down over a close. A roll needs a number, and a reservation written from this
            // handler would only be sent after the next command ran: roll from a command instead.
            Self.Tell(RollCheck.Instance);
        });

        Command<Tick>(tick => OnTick(tick, null));
        Command<IngestTick>(ingest => OnTick(ingest.ToTick(), Sender));
        Command<GetQuote>(_ =>
        {
            var sender = Sender;
            RollIfDue(() => sender.Tell(_state.Quote));
        });
        Command<ResetTicker>(_ =>
        {
            var sender = Sender;
            WithNextNumber(() =>
            {
                _state = _state.Reset(_clock.GetUtcNow());
                Publish();
                Save();
                sender.Tell(_state.Quote);
            });
        });
        Command<GetTickerStats>(_ => Sender.Tell(new TickerStats(_company.TickerSymbol, _state.Quote, _accepted, _rejected) { LastRejected = _lastRejected }));
        Command<RollCheck>(_ => RollIfDue());
        Command<SaveDue>(_ => Save());
        Command<SaveSnapshotSuccess>(s =>
        {
            DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr, s.Metadata.Timestamp.AddTicks(-1)));
            if (_stopping)
            {
                Context.Stop(Self);
            }
        });
        Command<SaveSnapshotFailure>(_ =>
        {
            if (_stopping)
            {
                Context.Stop(Self); // the last few ticks are lost; the next feed tick restores the price
            }
        });
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
        Command<StopEntity>(_ =>
        {
            if (_unsaved == 0)
            {
                Context.Stop(Self);
                return;
            }

            _stopping = true;
            Save();
        });
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Company company, IActorRef mediator, TickerOptions options, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new TickerActor(company, mediator, options, clock));

    /// <summary>Checks and takes a tick; <paramref name="replyTo"/> (ingest) is told what became of it.</summary>
    private void OnTick(Tick tick, IActorRef? replyTo)
    {
        var now = _clock.GetUtcNow();
        RollIfDue(now);
        if (_state.Check(tick, _options.MaxJumpPercent, _options.LatestPlausible(now)) is { } reason)
        {
            _rejected = _rejected.SetItem(reason, _rejected.GetValueOrDefault(reason) + 1);
            _metrics.TickRejected(reason);
            _lastRejected = new RejectedTick(reason, tick.Price, tick.Timestamp, now);
            replyTo?.Tell(new TickRejected(_company.TickerSymbol, reason));
            return;
        }

        // A roll this tick waits for cannot change what Check looked at (the price and the last tick's time).
        WithNextNumber(() =>
        {
            _state = _state.Accept(tick);
            _accepted++;
            _metrics.TicksAccepted.Add(1);
            Publish();
            if (++_unsaved >= _options.SnapshotEveryTicks)
            {
                Save();
            }
            else if (_unsaved == 1)
            {
                Timers.StartSingleTimer("save", SaveDue.Instance, _options.SnapshotInterval);
            }

            replyTo?.Tell(new TickAccepted(_company.TickerSymbol, _state.Quote.Sequence));
        });
    }

    private void RollIfDue(Action? then = null) => RollIfDue(_clock.GetUtcNow(), then);

    /// <param name="now">The clock, read once by the caller.</param>
    /// <param name="then">Runs after the roll if one is due (it may wait for a reservation), else at once.</param>
    private void RollIfDue(DateTimeOffset now, Action? then = null)
    {
        if (now < _state.NextRollAt)
        {
            then?.Invoke();
            return;
        }

        WithNextNumber(() =>
        {
            _state = _state.Roll(now, _calendar.NextDayClose(now));
            Publish();
            Save();
            then?.Invoke();
        });
    }

    /// <summary>
    /// Runs <paramref name="use"/>, which numbers one quote, once a journaled reservation covers the number.
    /// Usually one does and it runs at once; the next block is then reserved ahead, with
    /// <c>PersistAsync</c>, once half of this one is used, so ticks do not wait for the write. Only the first
    /// quote after recovery, or a block used up before its successor was written, waits: <c>Persist</c> holds
    /// back the following commands until the reservation is in the journal.
    /// </summary>
    private void WithNextNumber(Action use)
    {
        if (_state.MustReserveFirst)
        {
            var reservation = _state.ReserveNext(_options.SequenceBlock);
            _state = _state.Reserving(reservation);
            Persist(reservation, reserved =>
            {
                _state = _state.Apply(reserved);
                use();
                ReserveAheadIfDue();
            });
            return;
        }

        use();
        ReserveAheadIfDue();
    }

    private void ReserveAheadIfDue()
    {
        if (_state.ReservationDue(_options.SequenceBlock) is { } reservation)
        {
            _state = _state.Reserving(reservation);
            PersistAsync(reservation, reserved => _state = _state.Apply(reserved));
        }
    }

    private void Publish()
    {
        _mediator.Tell(new Publish(_topic, _state.Quote));
        _metrics.Published("quotes");
    }

    private void Save()
    {
        Timers.Cancel("save");
        _unsaved = 0;
        SaveSnapshot(_state.ToSnapshot());
    }

    private sealed class RollCheck
    {
        public static readonly RollCheck Instance = new();
    }

    private sealed class SaveDue
    {
        public static readonly SaveDue Instance = new();
    }
}
