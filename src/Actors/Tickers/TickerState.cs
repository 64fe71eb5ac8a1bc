using System.Collections.Immutable;
using ActorQuotes.Contracts.Tickers;

namespace ActorQuotes.Actors.Tickers;

/// <summary>
/// A ticker's quote and day, with pure rules for ticks, the daily roll and the reservation of quote
/// sequence numbers: a number is used only once a journaled <see cref="QuoteSequencesReserved"/> covers
/// it, so an incarnation recovered after a crash starts above every number an earlier one could have used.
/// </summary>
public sealed record TickerState(Quote Quote, DateTimeOffset NextRollAt, bool DayStarted)
{
    /// <summary>
    /// Time of the last accepted tick; ticks older than it are out of order. None before the first tick,
    /// so a feed's ticks stamped before this ticker started are not refused.
    /// </summary>
    public DateTimeOffset? LastTickAt { get; init; }

    /// <summary>Before any tick: the reference close is both price and previous close.</summary>
    public static TickerState Initial(string symbol, double referenceClose, DateTimeOffset now, DateTimeOffset nextRollAt) =>
        new(new Quote(symbol, referenceClose, referenceClose, now, 0), nextRollAt, false);

    /// <summary>The highest sequence number a journaled reservation covers (0: none yet).</summary>
    public long ReservedThrough { get; init; }

    /// <summary>The highest sequence number a reservation written but not yet confirmed covers (0: none).</summary>
    public long ReservingThrough { get; init; }

    /// <summary>True when the next quote needs a number no confirmed reservation covers yet.</summary>
    public bool MustReserveFirst => Quote.Sequence >= ReservedThrough;

    /// <summary>
    /// The state a snapshot holds. A last tick dated beyond <paramref name="latestPlausible"/> (a tick accepted
    /// before the future bound existed, or a clock that was wrong) is not carried forward: the quote keeps its
    /// price but is dated <paramref name="now"/>, and there is no last-tick time, so ticks are taken again.
    /// </summary>
    public static TickerState FromSnapshot(TickerSnapshot snapshot, DateTimeOffset now, DateTimeOffset latestPlausible)
    {
        var quote = snapshot.Quote;
        var poisoned = quote.Timestamp > latestPlausible;
        return new(poisoned ? quote with { Timestamp = now } : quote, snapshot.NextRollAt, quote.Open > 0)
        {
            LastTickAt = quote.Sequence > 0 && !poisoned ? quote.Timestamp : null,
            ReservedThrough = snapshot.ReservedThrough,
        };
    }

    public TickerSnapshot ToSnapshot() => new(Quote, NextRollAt) { ReservedThrough = ReservedThrough };

    /// <summary>
    /// After recovery: an earlier incarnation may have published any number up to <see cref="ReservedThrough"/>
    /// after its last snapshot, so this one goes on from there. The recovered quote keeps its price but takes
    /// that number (it is answered to <see cref="GetQuote"/>, never published); the next quote needs a new
    /// reservation first.
    /// </summary>
    public TickerState Recovered() =>
        this with
        {
            Quote = Quote.Sequence < ReservedThrough ? Quote with { Sequence = ReservedThrough } : Quote,
            ReservingThrough = 0,
        };

    /// <summary>
    /// The reservation to write before the next number can be used (<see cref="MustReserveFirst"/>): the
    /// next <paramref name="blockSize"/> numbers after every number reserved or being reserved.
    /// </summary>
    public QuoteSequencesReserved ReserveNext(int blockSize) =>
        new(Math.Max(Math.Max(ReservedThrough, ReservingThrough), Quote.Sequence) + blockSize);

    /// <summary>
    /// The reservation to write ahead of need, or null: once half of the reserved numbers are left and none
    /// is being written, the next block is reserved while this one is still in use, so ticks do not wait for it.
    /// </summary>
    public QuoteSequencesReserved? ReservationDue(int blockSize) =>
        ReservingThrough <= ReservedThrough && ReservedThrough - Quote.Sequence <= blockSize / 2
            ? ReserveNext(blockSize)
            : null;

    /// <summary>The reservation has been handed to the journal.</summary>
    public TickerState Reserving(QuoteSequencesReserved reservation) =>
        this with { ReservingThrough = Math.Max(ReservingThrough, reservation.Through) };

    /// <summary>The reservation is in the journal (or replayed from it): its numbers may be used.</summary>
    public TickerState Apply(QuoteSequencesReserved reservation) =>
        this with { ReservedThrough = Math.Max(ReservedThrough, reservation.Through) };

    /// <summary>
    /// Why <paramref name="tick"/> must be refused, or null when it is good. A tick dated after
    /// <paramref name="latestPlausible"/> (the node's clock plus the allowed skew) is refused before it can
    /// become the last tick's time.
    /// </summary>
    public TickRejection? Check(Tick tick, double maxJumpPercent, DateTimeOffset latestPlausible)
    {
        if (!double.IsFinite(tick.Price))
        {
            return TickRejection.NotFinite;
        }

        if (tick.Price <= 0)
        {
            return TickRejection.NotPositive;
        }

        if (tick.Timestamp > latestPlausible)
        {
            return TickRejection.FutureTimestamp;
        }

        if (tick.Timestamp < LastTickAt)
        {
            return TickRejection.OutOfOrder;
        }

        var jump = Math.Abs(tick.Price / Quote.Price - 1) * 100;
        return jump > maxJumpPercent ? TickRejection.OutsideBand : null;
    }

    /// <summary>The state after a good tick: new price, day range and volume, next sequence.</summary>
    public TickerState Accept(Tick tick)
    {
        var q = Quote;
        var open = DayStarted ? q.Open : tick.Price;
        var next = new Quote(q.Symbol, tick.Price, q.PreviousClose, tick.Timestamp, q.Sequence + 1)
        {
            Open = open,
            DayHigh = DayStarted ? Math.Max(q.DayHigh, tick.Price) : tick.Price,
            DayLow = DayStarted ? Math.Min(q.DayLow, tick.Price) : tick.Price,
            Volume = (DayStarted ? q.Volume : 0) + Math.Max(0, tick.Volume),
        };
        return this with { Quote = next, DayStarted = true, LastTickAt = tick.Timestamp };
    }

    /// <summary>
    /// An operator's reset (<see cref="ResetTicker"/>): the price goes back to the previous close, the day's
    /// range and volume and the last tick's time are cleared, and the quote takes the next sequence number
    /// (numbers never go back), dated <paramref name="now"/>. The next tick is taken whatever its time.
    /// </summary>
    public TickerState Reset(DateTimeOffset now)
    {
        var q = Quote;
        var reset = new Quote(q.Symbol, q.PreviousClose, q.PreviousClose, now, q.Sequence + 1);
        return this with { Quote = reset, DayStarted = false, LastTickAt = null };
    }

    /// <summary>
    /// At the exchange's day close the last price becomes the previous close and the day starts afresh;
    /// <paramref name="nextRollAt"/> is the close after that.
    /// </summary>
    public TickerState Roll(DateTimeOffset now, DateTimeOffset nextRollAt)
    {
        var q = Quote;
        var rolled = new Quote(q.Symbol, q.Price, q.Price, now > q.Timestamp ? now : q.Timestamp, q.Sequence + 1)
        {
            Open = 0,
            DayHigh = 0,
            DayLow = 0,
            Volume = 0,
        };
        return this with { Quote = rolled, NextRollAt = nextRollAt, DayStarted = false };
    }

    public static ImmutableDictionary<TickRejection, long> NoRejections { get; } =
        ImmutableDictionary<TickRejection, long>.Empty;
}
