using ActorQuotes.Actors.Tickers;
using ActorQuotes.Contracts.Tickers;

namespace ActorQuotes.Actors.Tests;

/// <summary>The reservation of quote sequence numbers, as pure state: no actor system, no journal.</summary>
public sealed class TickerStateTests
{
    private const int Block = 1000;
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 14, 0, 0, TimeSpan.FromHours(9));

    private static TickerState Fresh() => TickerState.Initial("7203", 2600, T0, T0.AddHours(2)).Recovered();

    private static TickerState Ticks(TickerState state, int count)
    {
        for (var i = 0; i < count; i++)
        {
            state = state.Accept(new Tick("7203", 2600 + (i % 10), 1, T0.AddMilliseconds(state.Quote.Sequence + 1)));
        }

        return state;
    }

    [Fact(DisplayName = "A ticker reserves the next block before it uses it: nothing is numbered until a reservation is confirmed")]
    public void Reserves_before_use()
    {
        var fresh = Fresh();
        var reservation = fresh.ReserveNext(Block);
        var written = fresh.Reserving(reservation);
        var confirmed = written.Apply(reservation);

        Assert.True(fresh.MustReserveFirst);
        Assert.Equal(new QuoteSequencesReserved(1000), reservation);
        Assert.True(written.MustReserveFirst, "a reservation in flight does not cover a number yet");
        Assert.False(confirmed.MustReserveFirst);
        Assert.True(Ticks(confirmed, 999).Quote.Sequence < confirmed.ReservedThrough);
        Assert.True(Ticks(confirmed, 1000).MustReserveFirst, "number 1001 is not covered by the first block");
    }

    [Fact(DisplayName = "A ticker reserves the following block ahead, once half of its block is used, and only one at a time")]
    public void Reserves_ahead_at_half_block()
    {
        var first = new QuoteSequencesReserved(1000);
        var state = Fresh().Reserving(first).Apply(first);

        var at499 = Ticks(state, 499);
        var at500 = Ticks(state, 500);
        var ahead = at500.ReservationDue(Block)!;
        var writing = at500.Reserving(ahead);
        var confirmed = Ticks(writing, 100).Apply(ahead);

        Assert.Null(at499.ReservationDue(Block));
        Assert.Equal(new QuoteSequencesReserved(2000), ahead);
        Assert.Null(Ticks(writing, 100).ReservationDue(Block)); // one in flight already
        Assert.Equal(2000, confirmed.ReservedThrough);
        Assert.Null(Ticks(confirmed, 899).ReservationDue(Block)); // 600 + 899 = 1499: more than half of the next block left
        Assert.Equal(new QuoteSequencesReserved(3000), Ticks(confirmed, 900).ReservationDue(Block));
    }

    [Fact(DisplayName = "A block used up while the next one is being written is followed by a reservation above both")]
    public void Used_up_while_writing()
    {
        var first = new QuoteSequencesReserved(1000);
        var state = Ticks(Fresh().Reserving(first).Apply(first), 500);
        var ahead = state.ReservationDue(Block)!;
        var usedUp = Ticks(state.Reserving(ahead), 500);

        Assert.True(usedUp.MustReserveFirst);
        Assert.Equal(new QuoteSequencesReserved(3000), usedUp.ReserveNext(Block));
    }

    [Fact(DisplayName = "A recovered ticker starts above every sequence number it reserved, although its snapshot is older")]
    public void Recovered_starts_above_every_reservation()
    {
        // The last snapshot was taken at quote 40 with 1,000 reserved; 2,000 were reserved after it, and the
        // crashed incarnation may have published any number up to 2,000.
        var snapshot = new TickerSnapshot(new Quote("7203", 2650, 2600, T0, 40) { Open = 2610, DayHigh = 2660, DayLow = 2600, Volume = 5000 }, T0.AddHours(2))
        {
            ReservedThrough = 1000,
        };
        var replayed = TickerState.FromSnapshot(snapshot, T0, T0.AddMinutes(5)).Apply(new QuoteSequencesReserved(2000));

        var recovered = replayed.Recovered();
        var reservation = recovered.ReserveNext(Block);
        var first = recovered.Reserving(reservation).Apply(reservation).Accept(new Tick("7203", 2655, 10, T0.AddSeconds(1)));

        Assert.Equal(2000, recovered.Quote.Sequence);
        Assert.Equal(2650, recovered.Quote.Price);
        Assert.True(recovered.MustReserveFirst);
        Assert.Equal(new QuoteSequencesReserved(3000), reservation);
        Assert.Equal(2001, first.Quote.Sequence);
        Assert.Equal((2655.0, 2600.0, 5010L), (first.Quote.Price, first.Quote.PreviousClose, first.Quote.Volume));
    }

    [Fact(DisplayName = "Reservations replayed in any order leave the highest one in force")]
    public void Highest_reservation_wins()
    {
        var state = Fresh().Apply(new QuoteSequencesReserved(2000)).Apply(new QuoteSequencesReserved(1000));

        Assert.Equal(2000, state.ReservedThrough);
        Assert.Equal(2000, state.Recovered().Quote.Sequence);
    }

    [Fact(DisplayName = "A snapshot from before reservations existed recovers at its own quote's number and reserves above it")]
    public void Old_snapshot_without_reservation()
    {
        var old = new TickerSnapshot(new Quote("7203", 2650, 2600, T0, 40), T0.AddHours(2));

        var recovered = TickerState.FromSnapshot(old, T0, T0.AddMinutes(5)).Recovered();

        Assert.Equal(40, recovered.Quote.Sequence);
        Assert.True(recovered.MustReserveFirst);
        Assert.Equal(new QuoteSequencesReserved(1040), recovered.ReserveNext(Block));
    }

    [Fact(DisplayName = "The daily roll and the snapshot keep the reservation")]
    public void Roll_and_snapshot_keep_the_reservation()
    {
        var reservation = new QuoteSequencesReserved(1000);
        var state = Ticks(Fresh().Reserving(reservation).Apply(reservation), 3);

        var rolled = state.Roll(T0.AddHours(2), T0.AddDays(1));
        var saved = TickerState.FromSnapshot(rolled.ToSnapshot(), T0.AddHours(2), T0.AddHours(2).AddMinutes(5));

        Assert.Equal(4, rolled.Quote.Sequence);
        Assert.Equal(1000, rolled.ReservedThrough);
        Assert.Equal(1000, saved.ReservedThrough);
        Assert.Equal(1000, saved.Recovered().Quote.Sequence);
    }

    [Fact(DisplayName = "A tick dated after the plausible bound is refused future_timestamp and leaves the last tick's time alone; one at the bound is taken")]
    public void Future_tick_is_refused()
    {
        var state = Ticks(Fresh(), 1);
        var bound = T0.AddMinutes(5);

        Assert.Equal(TickRejection.FutureTimestamp, state.Check(new Tick("7203", 2601, 1, new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero)), 20, bound));
        Assert.Equal(TickRejection.FutureTimestamp, state.Check(new Tick("7203", 2601, 1, bound.AddTicks(1)), 20, bound));
        Assert.Null(state.Check(new Tick("7203", 2601, 1, bound), 20, bound));
        Assert.Null(state.Check(new Tick("7203", 2601, 1, T0.AddSeconds(1)), 20, bound));
    }

    [Fact(DisplayName = "A snapshot whose last tick lies beyond the bound is recovered with its price but without that time, so ticks are taken again")]
    public void Poisoned_snapshot_drops_its_high_water_mark()
    {
        var poisoned = new TickerSnapshot(new Quote("7203", 2650, 2600, new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero), 40) { Open = 2610 }, T0.AddHours(2));
        var sound = new TickerSnapshot(new Quote("7203", 2650, 2600, T0.AddMinutes(-1), 40) { Open = 2610 }, T0.AddHours(2));

        var recovered = TickerState.FromSnapshot(poisoned, T0, T0.AddMinutes(5));
        var kept = TickerState.FromSnapshot(sound, T0, T0.AddMinutes(5));

        Assert.Null(recovered.LastTickAt);
        Assert.Equal((2650.0, 40L, T0), (recovered.Quote.Price, recovered.Quote.Sequence, recovered.Quote.Timestamp));
        Assert.Null(recovered.Check(new Tick("7203", 2651, 1, T0.AddSeconds(1)), 20, T0.AddMinutes(5)));
        Assert.Equal(T0.AddMinutes(-1), kept.LastTickAt);
    }

    [Fact(DisplayName = "A reset goes back to the previous close with the next sequence number and forgets the day and the last tick's time")]
    public void Reset_clears_the_day()
    {
        var state = Ticks(Fresh(), 3) with { LastTickAt = new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero) };

        var reset = state.Reset(T0.AddMinutes(1));

        Assert.Equal(new Quote("7203", 2600, 2600, T0.AddMinutes(1), 4), reset.Quote);
        Assert.Null(reset.LastTickAt);
        Assert.False(reset.DayStarted);
        Assert.Null(reset.Check(new Tick("7203", 2601, 1, T0.AddMinutes(2)), 20, T0.AddMinutes(6)));
    }
}
