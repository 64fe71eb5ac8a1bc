using System.Collections.Immutable;
using ActorQuotes.Contracts.Feeds;
using ActorQuotes.Contracts.Tickers;
using Akka.Actor;
using Akka.Event;

namespace ActorQuotes.Actors.Feeds;

/// <summary>
/// Replays recorded trades to the ticker region as <see cref="Tick"/>s, paced by the gaps between the rows'
/// timestamps divided by <see cref="ReplayFeedOptions.Speed"/>. Each tick is stamped with the clock's
/// current time, so replayed ticks are always newer than the last accepted ones; the recorded time only
/// paces them. Stops itself after the last row, or starts over with <see cref="ReplayFeedOptions.Loop"/>.
/// </summary>
public sealed class ReplayFeedActor : ReceiveActor, IWithTimers
{
    /// <summary>Rows one wake may send when it is behind, so a late timer never turns into one huge burst.</summary>
    private const int MaxTicksPerWake = 1000;

    private readonly ImmutableArray<ReplayRow> _rows;
    private readonly IActorRef _tickers;
    private readonly bool _loop;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>When each row is due, measured from the start of a pass, already divided by the speed.</summary>
    private readonly TimeSpan[] _due;

    /// <summary>The pause between the last row and the first one of the next pass.</summary>
    private readonly TimeSpan _loopGap;

    private int _next;
    private TimeSpan _passStart;
    private long _sent;
    private bool _paused;

    public ReplayFeedActor(ImmutableArray<ReplayRow> rows, IActorRef tickers, ReplayFeedOptions options, TimeProvider clock)
    {
        if (!double.IsFinite(options.Speed) || options.Speed <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Speed, "Feeds:Replay:Speed must be greater than 0.");
        }

        _rows = rows;
        _tickers = tickers;
        _loop = options.Loop;
        _clock = clock;
        _due = new TimeSpan[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            _due[i] = (rows[i].Timestamp - rows[0].Timestamp) / options.Speed;
        }

        // Looping waits one average gap of the file, so the seam between passes looks like any other step.
        _loopGap = rows.Length > 1 && _due[^1] > TimeSpan.Zero
            ? _due[^1] / (rows.Length - 1)
            : TimeSpan.FromSeconds(1) / options.Speed;

        Receive<Emit>(_ =>
        {
            if (!_paused)
            {
                EmitDue(); // an Emit queued before the pause is dropped
            }
        });
        Receive<PauseFeed>(_ =>
        {
            if (!_paused)
            {
                _paused = true;
                Timers.Cancel("emit");
            }

            Sender.Tell(Status());
        });
        Receive<ResumeFeed>(_ =>
        {
            if (_paused)
            {
                // Carry on from the next row as if the pause had not happened: the pass starts later by its length.
                _paused = false;
                _passStart = Now - _due[_next];
                Timers.StartSingleTimer("emit", Emit.Instance, TimeSpan.Zero);
            }

            Sender.Tell(Status());
        });
        Receive<GetFeedStatus>(_ => Sender.Tell(Status()));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Elapsed time on the scheduler's own clock, the one its timers run on.</summary>
    private TimeSpan Now => Context.System.Scheduler.MonotonicClock;

    public static Props Props(ImmutableArray<ReplayRow> rows, IActorRef tickers, ReplayFeedOptions options, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new ReplayFeedActor(rows, tickers, options, clock));

    protected override void PreStart()
    {
        if (_rows.IsEmpty)
        {
            _log.Warning("Replay feed has no rows to replay; stopping");
            Context.Stop(Self);
            return;
        }

        _passStart = Now;
        Timers.StartSingleTimer("emit", Emit.Instance, TimeSpan.Zero);
    }

    private FeedStatus Status() => new("replay", _paused, _sent);

    private void EmitDue()
    {
        // Due times count from the start of the pass, not from the last wake, so timer lateness does not add up.
        var elapsed = Now - _passStart;
        var stamp = _clock.GetUtcNow();
        var sentNow = 0;
        do
        {
            var row = _rows[_next++];
            _tickers.Tell(new Tick(row.Symbol, row.Price, row.Volume, stamp));
            _sent++;
            sentNow++;
        }
        while (_next < _rows.Length && _due[_next] <= elapsed && sentNow < MaxTicksPerWake);

        if (_next == _rows.Length)
        {
            if (!_loop)
            {
                _log.Info("Replay feed finished after {0} ticks", _sent);
                Context.Stop(Self);
                return;
            }

            _passStart += _due[^1] + _loopGap;
            _next = 0;
            elapsed = Now - _passStart;
        }

        var delay = _due[_next] - elapsed;
        Timers.StartSingleTimer("emit", Emit.Instance, delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
    }

    private sealed class Emit
    {
        public static readonly Emit Instance = new();
    }
}
