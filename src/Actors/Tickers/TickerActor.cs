using ActorQuotes.Actors.Catalog;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Tickers;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;

namespace ActorQuotes.Actors.Tickers;

/// <summary>
/// One symbol's latest quote, sharded by symbol. Accepts <see cref="Tick"/>s from feeds, publishes each
/// accepted one as a <see cref="Quote"/> on <see cref="Topics.Quotes"/> (once, whatever the number of
/// subscribers), and answers <see cref="GetQuote"/> with the current quote.
/// </summary>
public sealed class TickerActor : ReceiveActor
{
    private readonly IActorRef _mediator;
    private readonly string _topic;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private Quote _quote;
    private long _rejected;

    public TickerActor(Company company, IActorRef mediator, TimeProvider clock)
    {
        _mediator = mediator;
        _topic = Topics.Quotes(company.TickerSymbol);
        // Until the first tick the quote is the reference close: no change yet.
        _quote = new Quote(company.TickerSymbol, company.PreviousClose, company.PreviousClose, clock.GetUtcNow(), 0);

        Receive<Tick>(OnTick);
        Receive<GetQuote>(_ => Sender.Tell(_quote));
        Receive<StopEntity>(_ => Context.Stop(Self));
    }

    /// <summary>Ticks rejected since this ticker started.</summary>
    public long Rejected => _rejected;

    public static Props Props(Company company, IActorRef mediator, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new TickerActor(company, mediator, clock));

    private void OnTick(Tick tick)
    {
        if (!double.IsFinite(tick.Price) || tick.Price <= 0 || tick.Timestamp < _quote.Timestamp)
        {
            _rejected++;
            _log.Debug("Rejected tick {0} for {1} at {2}", tick.Price, tick.Symbol, tick.Timestamp);
            return;
        }

        _quote = new Quote(_quote.Symbol, tick.Price, _quote.PreviousClose, tick.Timestamp, _quote.Sequence + 1);
        _mediator.Tell(new Publish(_topic, _quote));
    }
}
