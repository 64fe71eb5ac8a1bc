using ActorQuotes.Actors.Tickers;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Tickers;
using Akka.Cluster.Tools.PublishSubscribe;

namespace ActorQuotes.Actors.Tests;

public sealed class TickerActorTests(ITestOutputHelper output) : ActorQuotesTestKit(output)
{
    // Monday 30 November 2026, 14:00 in Tokyo: the TSE afternoon session.
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 14, 0, 0, TimeSpan.FromHours(9));
    private static readonly TickerOptions Options = new() { MaxJumpPercent = 20, SnapshotEveryTicks = 1000, SnapshotInterval = TimeSpan.FromMinutes(10) };

    private IActorRef Ticker(string symbol, IActorRef mediator, TimeProvider clock) =>
        Sys.ActorOf(TickerActor.Props(Catalog.Find(symbol)!, mediator, Options, clock));

    [Fact(DisplayName = "A tick reaches a subscriber of the symbol's topic as a quote with the right change, change % and day fields")]
    public async Task Quote_reaches_subscriber()
    {
        var mediator = DistributedPubSub.Get(Sys).Mediator;
        var subscriber = CreateTestProbe();
        mediator.Tell(new Subscribe(Topics.Quotes("7203"), subscriber.Ref), subscriber.Ref);
        await subscriber.ExpectMsgAsync<SubscribeAck>();
        var ticker = Ticker("7203", mediator, new ManualClock(T0));

        ticker.Tell(new Tick("7203", 2650.0, 100, T0.AddSeconds(1)));
        var quote = await subscriber.ExpectMsgAsync<Quote>();

        Assert.Equal(new Quote("7203", 2650.0, 2600.0, T0.AddSeconds(1), 1) { Open = 2650, DayHigh = 2650, DayLow = 2650, Volume = 100 }, quote);
        Assert.Equal(50.0, quote.Change);
        Assert.Equal(1.92, quote.ChangePercent);
    }

    [Fact(DisplayName = "A subscriber that asks after subscribing gets the current quote at once and then every publish")]
    public async Task Subscribe_then_first_publish()
    {
        var mediator = DistributedPubSub.Get(Sys).Mediator;
        var ticker = Ticker("6758", mediator, new ManualClock(T0));
        ticker.Tell(new Tick("6758", 3610, 1, T0.AddSeconds(1)));
        var subscriber = CreateTestProbe();

        mediator.Tell(new Subscribe(Topics.Quotes("6758"), subscriber.Ref), subscriber.Ref);
        await subscriber.ExpectMsgAsync<SubscribeAck>();
        ticker.Tell(new GetQuote("6758"), subscriber.Ref);
        ticker.Tell(new Tick("6758", 3620, 1, T0.AddSeconds(2)));

        // The first quote it sees is the current one (the answer, or tick 1's publish if that raced it);
        // then nothing is missing up to tick 2.
        var seen = new List<long> { (await subscriber.ExpectMsgAsync<Quote>()).Sequence };
        while (seen[^1] < 2)
        {
            seen.Add((await subscriber.ExpectMsgAsync<Quote>()).Sequence);
        }

        Assert.Equal(1, seen[0]);
        Assert.Equal([1L, 2L], seen.Distinct());
    }

    [Fact(DisplayName = "Each bad tick is rejected for its reason, counted, changes nothing and publishes nothing")]
    public async Task Rejects_bad_ticks()
    {
        var mediator = CreateTestProbe();
        var ticker = Ticker("AAPL", mediator.Ref, new ManualClock(T0));
        ticker.Tell(new IngestTick("AAPL", 271.5, 1, T0.AddSeconds(5)));
        Assert.Equal(new TickAccepted("AAPL", 1), await ExpectMsgAsync<TickAccepted>());
        await mediator.ExpectMsgAsync<Publish>();

        var cases = new (IngestTick Tick, TickRejection Reason)[]
        {
            (new IngestTick("AAPL", double.NaN, 1, T0.AddSeconds(6)), TickRejection.NotFinite),
            (new IngestTick("AAPL", double.PositiveInfinity, 1, T0.AddSeconds(6)), TickRejection.NotFinite),
            (new IngestTick("AAPL", 0, 1, T0.AddSeconds(6)), TickRejection.NotPositive),
            (new IngestTick("AAPL", -3, 1, T0.AddSeconds(6)), TickRejection.NotPositive),
            (new IngestTick("AAPL", 272, 1, T0.AddSeconds(4)), TickRejection.OutOfOrder),
            (new IngestTick("AAPL", 271.5 * 1.21, 1, T0.AddSeconds(6)), TickRejection.OutsideBand),
            (new IngestTick("AAPL", 271.5 * 0.79, 1, T0.AddSeconds(6)), TickRejection.OutsideBand),
        };
        foreach (var (tick, reason) in cases)
        {
            ticker.Tell(tick);
            Assert.Equal(new TickRejected("AAPL", reason), await ExpectMsgAsync<TickRejected>());
        }

        ticker.Tell(new GetTickerStats("AAPL"));
        var stats = await ExpectMsgAsync<TickerStats>();

        Assert.Equal(271.5, stats.Quote.Price);
        Assert.Equal(1, stats.Quote.Sequence);
        Assert.Equal(1, stats.Accepted);
        Assert.Equal(2, stats.Rejected[TickRejection.NotFinite]);
        Assert.Equal(2, stats.Rejected[TickRejection.NotPositive]);
        Assert.Equal(1, stats.Rejected[TickRejection.OutOfOrder]);
        Assert.Equal(2, stats.Rejected[TickRejection.OutsideBand]);
        await mediator.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact(DisplayName = "A tick for a symbol outside the catalog is rejected as unknown_symbol")]
    public async Task Unknown_symbol()
    {
        var ticker = Sys.ActorOf(UnknownTickerActor.Props("NOPE"));

        ticker.Tell(new IngestTick("NOPE", 1, 1, T0));
        ticker.Tell(new GetQuote("NOPE"));

        Assert.Equal(new TickRejected("NOPE", TickRejection.UnknownSymbol), await ExpectMsgAsync<TickRejected>());
        Assert.Equal(new QuoteUnavailable("NOPE"), await ExpectMsgAsync<QuoteUnavailable>());
    }

    [Fact(DisplayName = "At the exchange's day close the previous close rolls to the last price, so change is against the right day")]
    public async Task Rolls_previous_close_at_session_close()
    {
        var clock = new ManualClock(T0);
        var mediator = CreateTestProbe();
        var ticker = Ticker("7203", mediator.Ref, clock);
        ticker.Tell(new IngestTick("7203", 2650, 300, T0.AddMinutes(1)));
        await ExpectMsgAsync<TickAccepted>();
        ticker.Tell(new IngestTick("7203", 2640, 200, T0.AddMinutes(2)));
        await ExpectMsgAsync<TickAccepted>();

        clock.Advance(TimeSpan.FromMinutes(89)); // 15:29, still Monday's session
        ticker.Tell(new GetQuote("7203"));
        var beforeClose = await ExpectMsgAsync<Quote>();
        clock.Advance(TimeSpan.FromMinutes(2)); // 15:31: closed
        ticker.Tell(new GetQuote("7203"));
        var afterClose = await ExpectMsgAsync<Quote>();
        var nextMorning = new DateTimeOffset(2026, 12, 1, 9, 0, 5, TimeSpan.FromHours(9));
        clock.Advance(nextMorning - clock.GetUtcNow());
        ticker.Tell(new IngestTick("7203", 2660, 100, nextMorning));
        await ExpectMsgAsync<TickAccepted>();
        ticker.Tell(new GetQuote("7203"));
        var tuesday = await ExpectMsgAsync<Quote>();

        Assert.Equal((2640.0, 2600.0, 2650.0, 2640.0, 500L), (beforeClose.Price, beforeClose.PreviousClose, beforeClose.DayHigh, beforeClose.DayLow, beforeClose.Volume));
        Assert.Equal((2640.0, 2640.0, 0.0, 0.0), (afterClose.Price, afterClose.PreviousClose, afterClose.Change, afterClose.Volume));
        Assert.Equal((2660.0, 2640.0, 20.0, 0.76), (tuesday.Price, tuesday.PreviousClose, tuesday.Change, tuesday.ChangePercent));
        Assert.Equal((2660.0, 2660.0, 2660.0, 100L), (tuesday.Open, tuesday.DayHigh, tuesday.DayLow, tuesday.Volume));
    }

    [Fact(DisplayName = "A stopped ticker resumes from its snapshot with its last price, previous close and day range, not the catalog's")]
    public async Task Resumes_from_snapshot()
    {
        var clock = new ManualClock(T0);
        for (var round = 1; round <= 2; round++)
        {
            var ticker = Ticker("9984", CreateTestProbe().Ref, clock);
            ticker.Tell(new IngestTick("9984", 17000 + (100 * round), 10, T0.AddSeconds(round)));
            await ExpectMsgAsync<TickAccepted>();
            Watch(ticker);
            ticker.Tell(StopEntity.Instance); // hand-off or passivation: saves, then stops
            await ExpectTerminatedAsync(ticker);
        }

        var resumed = Ticker("9984", CreateTestProbe().Ref, clock);
        resumed.Tell(new GetQuote("9984"));
        var quote = await ExpectMsgAsync<Quote>();

        Assert.Equal(17200, quote.Price);
        Assert.Equal(17000, quote.PreviousClose);
        Assert.Equal((17100.0, 17200.0, 17100.0, 20L), (quote.Open, quote.DayHigh, quote.DayLow, quote.Volume));
        Assert.Equal(T0.AddSeconds(2), quote.Timestamp);
    }

    [Fact(DisplayName = "A ticker stopped without a snapshot in the middle of a block comes back numbering above every quote it published before")]
    public async Task Crash_mid_block_then_higher_sequence()
    {
        // Small blocks and frequent snapshots, so the crash falls after the last snapshot and inside a block.
        var options = new TickerOptions { MaxJumpPercent = 20, SnapshotEveryTicks = 5, SnapshotInterval = TimeSpan.FromMinutes(10), SequenceBlock = 10 };
        var clock = new ManualClock(T0);
        var mediator = DistributedPubSub.Get(Sys).Mediator;
        var subscriber = CreateTestProbe();
        mediator.Tell(new Subscribe(Topics.Quotes("9984"), subscriber.Ref), subscriber.Ref);
        await subscriber.ExpectMsgAsync<SubscribeAck>();

        var first = Sys.ActorOf(TickerActor.Props(Catalog.Find("9984")!, mediator, options, clock));
        for (var i = 1; i <= 13; i++)
        {
            first.Tell(new IngestTick("9984", 17000 + i, 1, T0.AddSeconds(i)));
            Assert.Equal(new TickAccepted("9984", i), await ExpectMsgAsync<TickAccepted>());
        }

        var published = new List<long>();
        for (var i = 1; i <= 13; i++)
        {
            published.Add((await subscriber.ExpectMsgAsync<Quote>()).Sequence);
        }

        Watch(first);
        Sys.Stop(first); // a crash as far as the ticker knows: no snapshot on the way out
        await ExpectTerminatedAsync(first);

        var second = Sys.ActorOf(TickerActor.Props(Catalog.Find("9984")!, mediator, options, clock));
        second.Tell(new GetQuote("9984"));
        var recovered = await ExpectMsgAsync<Quote>();
        second.Tell(new IngestTick("9984", 17020, 1, T0.AddSeconds(20)));
        var accepted = await ExpectMsgAsync<TickAccepted>();
        var next = await subscriber.ExpectMsgAsync<Quote>();

        Assert.Equal(Enumerable.Range(1, 13).Select(i => (long)i), published);
        // The last snapshot was taken at quote 10; numbers up to 20 (or 30, had the ahead reservation been
        // slower than three ticks) were reserved, so the earlier incarnation could have used any of them.
        // Its price is the last snapshot's: quote 10's, or quote 5's if the snapshot at 10 was still being
        // written when the new incarnation read (the store does not order a save before a later load).
        Assert.Contains(recovered.Price, new[] { 17010.0, 17005.0 });
        Assert.Contains(recovered.Sequence, new long[] { 20, 30 });
        Assert.Equal(recovered.Sequence + 1, accepted.Sequence);
        Assert.Equal(accepted.Sequence, next.Sequence);
        Assert.True(next.Sequence > published.Max(), $"{next.Sequence} after {published.Max()}");
        Assert.Equal(17020, next.Price);
    }

    [Fact(DisplayName = "A far-future tick is rejected future_timestamp and the symbol keeps ticking, also after the ticker restarts")]
    public async Task Far_future_tick_is_rejected()
    {
        var clock = new ManualClock(T0);
        var mediator = CreateTestProbe();
        var ticker = Ticker("6861", mediator.Ref, clock);
        var farFuture = new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero);

        ticker.Tell(new IngestTick("6861", 60_000, 1, farFuture));
        Assert.Equal(new TickRejected("6861", TickRejection.FutureTimestamp), await ExpectMsgAsync<TickRejected>());
        ticker.Tell(new IngestTick("6861", 60_100, 1, T0.AddSeconds(1)));
        Assert.Equal(new TickAccepted("6861", 1), await ExpectMsgAsync<TickAccepted>());
        ticker.Tell(new Tick("6861", 60_200, 1, T0.AddSeconds(2))); // a feed's tick, as the simulator sends them
        ticker.Tell(new GetTickerStats("6861"));
        var stats = await ExpectMsgAsync<TickerStats>();
        Watch(ticker);
        ticker.Tell(StopEntity.Instance);
        await ExpectTerminatedAsync(ticker);

        var restarted = Ticker("6861", mediator.Ref, clock);
        restarted.Tell(new IngestTick("6861", 60_300, 1, T0.AddSeconds(3)));
        await ExpectMsgAsync<TickAccepted>();
        restarted.Tell(new GetQuote("6861"));
        var quote = await ExpectMsgAsync<Quote>();

        Assert.Equal((2L, 1L, 60_200.0), (stats.Accepted, stats.Rejected[TickRejection.FutureTimestamp], stats.Quote.Price));
        Assert.Equal((TickRejection.FutureTimestamp, farFuture), (stats.LastRejected!.Reason, stats.LastRejected.Timestamp));
        Assert.Equal((60_300.0, T0.AddSeconds(3)), (quote.Price, quote.Timestamp));
    }

    [Fact(DisplayName = "A snapshot that carries a far-future last tick (saved before the bound) is recovered without it: later ticks are taken")]
    public async Task Poisoned_snapshot_is_not_carried_forward()
    {
        var clock = new ManualClock(T0);
        // The first incarnation runs with a bound of 400 days, as a node without this rule would take anything.
        var poisoner = Sys.ActorOf(TickerActor.Props(Catalog.Find("6954")!, CreateTestProbe().Ref,
            new TickerOptions { MaxJumpPercent = 20, SnapshotEveryTicks = 1000, SnapshotInterval = TimeSpan.FromMinutes(10), MaxFutureSkew = TimeSpan.FromDays(400) }, clock));
        poisoner.Tell(new IngestTick("6954", 4000, 1, T0.AddDays(365)));
        await ExpectMsgAsync<TickAccepted>();
        Watch(poisoner);
        poisoner.Tell(StopEntity.Instance); // saves the poisoned snapshot
        await ExpectTerminatedAsync(poisoner);

        var recovered = Ticker("6954", CreateTestProbe().Ref, clock);
        recovered.Tell(new GetQuote("6954"));
        var quote = await ExpectMsgAsync<Quote>();
        recovered.Tell(new IngestTick("6954", 4010, 1, T0.AddSeconds(1)));
        var accepted = await ExpectMsgAsync<object>();

        Assert.Equal((4000.0, T0), (quote.Price, quote.Timestamp));
        Assert.IsType<TickAccepted>(accepted);
    }

    [Fact(DisplayName = "A reset unfreezes a symbol: it publishes the previous close with the next sequence and takes ticks again, also after a restart")]
    public async Task Reset_unfreezes_a_symbol()
    {
        var clock = new ManualClock(T0);
        var mediator = CreateTestProbe();
        var lax = new TickerOptions { MaxJumpPercent = 20, SnapshotEveryTicks = 1000, SnapshotInterval = TimeSpan.FromMinutes(10), MaxFutureSkew = TimeSpan.FromDays(400) };
        var ticker = Sys.ActorOf(TickerActor.Props(Catalog.Find("8058")!, mediator.Ref, lax, clock));
        ticker.Tell(new IngestTick("8058", 3000, 1, T0.AddDays(300)));
        await ExpectMsgAsync<TickAccepted>();
        ticker.Tell(new IngestTick("8058", 3001, 1, T0.AddSeconds(1)));
        Assert.Equal(new TickRejected("8058", TickRejection.OutOfOrder), await ExpectMsgAsync<TickRejected>()); // frozen

        ticker.Tell(new ResetTicker("8058"));
        var reset = await ExpectMsgAsync<Quote>();
        ticker.Tell(new IngestTick("8058", 3002, 1, T0.AddSeconds(2)));
        var accepted = await ExpectMsgAsync<TickAccepted>();
        Watch(ticker);
        ticker.Tell(StopEntity.Instance);
        await ExpectTerminatedAsync(ticker);
        var restarted = Sys.ActorOf(TickerActor.Props(Catalog.Find("8058")!, mediator.Ref, lax, clock));
        restarted.Tell(new IngestTick("8058", 3003, 1, T0.AddSeconds(3)));
        var afterRestart = await ExpectMsgAsync<TickAccepted>();

        var previousClose = Catalog.Find("8058")!.PreviousClose;
        Assert.Equal((previousClose, previousClose, 2L, T0, 0L), (reset.Price, reset.PreviousClose, reset.Sequence, reset.Timestamp, reset.Volume));
        Assert.Equal(3, accepted.Sequence);
        Assert.True(afterRestart.Sequence > 3, $"sequence {afterRestart.Sequence} after the restart");
    }
}
