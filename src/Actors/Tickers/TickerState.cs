using System.Collections.Immutable;
using ActorQuotes.Contracts.Tickers;

namespace ActorQuotes.Actors.Tickers;

/// <summary>A ticker's quote and day, with pure rules for ticks and the daily roll.</summary>
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

    public static TickerState FromSnapshot(TickerSnapshot snapshot) =>
        new(snapshot.Quote, snapshot.NextRollAt, snapshot.Quote.Open > 0)
        {
            LastTickAt = snapshot.Quote.Sequence > 0 ? snapshot.Quote.Timestamp : null,
        };

    public TickerSnapshot ToSnapshot() => new(Quote, NextRollAt);

    /// <summary>Why <paramref name="tick"/> must be refused, or null when it is good.</summary>
    public TickRejection? Check(Tick tick, double maxJumpPercent)
    {
        if (!double.IsFinite(tick.Price))
        {
            return TickRejection.NotFinite;
        }

        if (tick.Price <= 0)
        {
            return TickRejection.NotPositive;
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
        return new TickerState(rolled, nextRollAt, false) { LastTickAt = LastTickAt };
    }

    public static ImmutableDictionary<TickRejection, long> NoRejections { get; } =
        ImmutableDictionary<TickRejection, long>.Empty;
}
