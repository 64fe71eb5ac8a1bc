using ActorQuotes.Actors.Observability;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Tickers;
using Akka.Actor;

namespace ActorQuotes.Actors.Tickers;

/// <summary>
/// Stands in the ticker region for a symbol that is not in the catalog: answers
/// <see cref="QuoteUnavailable"/> (also to a reset), rejects ingested ticks as <see cref="TickRejection.UnknownSymbol"/>,
/// drops feed ticks, and passivates like any entity.
/// </summary>
public sealed class UnknownTickerActor : ReceiveActor
{
    public UnknownTickerActor(string symbol)
    {
        Receive<GetQuote>(_ => Sender.Tell(new QuoteUnavailable(symbol)));
        Receive<GetTickerStats>(_ => Sender.Tell(new QuoteUnavailable(symbol)));
        Receive<ResetTicker>(_ => Sender.Tell(new QuoteUnavailable(symbol)));
        var metrics = NodeMetrics.Get(Context.System);
        Receive<IngestTick>(_ =>
        {
            metrics.TickRejected(TickRejection.UnknownSymbol);
            Sender.Tell(new TickRejected(symbol, TickRejection.UnknownSymbol));
        });
        Receive<Tick>(_ => metrics.TickRejected(TickRejection.UnknownSymbol));
        Receive<StopEntity>(_ => Context.Stop(Self));
    }

    public static Props Props(string symbol) => Akka.Actor.Props.Create(() => new UnknownTickerActor(symbol));
}
