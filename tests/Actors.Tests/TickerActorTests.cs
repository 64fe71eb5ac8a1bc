using ActorQuotes.Actors.Tickers;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Tickers;
using Akka.Cluster.Tools.PublishSubscribe;

namespace ActorQuotes.Actors.Tests;

public sealed class TickerActorTests(ITestOutputHelper output) : ActorQuotesTestKit(output)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);

    [Fact(DisplayName = "A tick reaches a subscriber of the symbol's topic as a quote with the right change and change %")]
    public async Task Quote_reaches_subscriber()
    {
        var mediator = DistributedPubSub.Get(Sys).Mediator;
        var subscriber = CreateTestProbe();
        mediator.Tell(new Subscribe(Topics.Quotes("7203"), subscriber.Ref), subscriber.Ref);
        await subscriber.ExpectMsgAsync<SubscribeAck>();
        var toyota = Catalog.Find("7203")!;
        var ticker = Sys.ActorOf(TickerActor.Props(toyota, mediator, new ManualClock(T0)));

        ticker.Tell(new Tick("7203", 2650.0, 100, T0.AddSeconds(1)));
        var quote = await subscriber.ExpectMsgAsync<Quote>();

        Assert.Equal(new Quote("7203", 2650.0, 2600.0, T0.AddSeconds(1), 1), quote);
        Assert.Equal(50.0, quote.Change);
        Assert.Equal(1.92, quote.ChangePercent);
    }

    [Fact(DisplayName = "A new ticker answers its reference close; bad ticks change nothing and are not published")]
    public async Task Rejects_bad_ticks()
    {
        var mediator = CreateTestProbe();
        var ticker = Sys.ActorOf(TickerActor.Props(Catalog.Find("AAPL")!, mediator.Ref, new ManualClock(T0)));
        ticker.Tell(new GetQuote("AAPL"));
        Assert.Equal(new Quote("AAPL", 270.0, 270.0, T0, 0), await ExpectMsgAsync<Quote>());

        ticker.Tell(new Tick("AAPL", 271.5, 1, T0.AddSeconds(5)));
        await mediator.ExpectMsgAsync<Publish>();
        ticker.Tell(new Tick("AAPL", double.NaN, 1, T0.AddSeconds(6)));
        ticker.Tell(new Tick("AAPL", double.PositiveInfinity, 1, T0.AddSeconds(6)));
        ticker.Tell(new Tick("AAPL", 0, 1, T0.AddSeconds(6)));
        ticker.Tell(new Tick("AAPL", -3, 1, T0.AddSeconds(6)));
        ticker.Tell(new Tick("AAPL", 280, 1, T0.AddSeconds(4))); // older than the last accepted one
        ticker.Tell(new GetQuote("AAPL"));

        Assert.Equal(new Quote("AAPL", 271.5, 270.0, T0.AddSeconds(5), 1), await ExpectMsgAsync<Quote>());
        await mediator.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact(DisplayName = "A symbol outside the catalog answers quote unavailable")]
    public async Task Unknown_symbol()
    {
        var ticker = Sys.ActorOf(UnknownTickerActor.Props("NOPE"));

        ticker.Tell(new GetQuote("NOPE"));

        Assert.Equal(new QuoteUnavailable("NOPE"), await ExpectMsgAsync<QuoteUnavailable>());
    }
}
