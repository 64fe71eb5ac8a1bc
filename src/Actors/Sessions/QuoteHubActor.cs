using ActorQuotes.Actors.Observability;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Tickers;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;

namespace ActorQuotes.Actors.Sessions;

/// <summary>Session → this node's <see cref="QuoteHubActor"/>: start putting the symbol's quotes in the slot.</summary>
public sealed record FollowQuotes(QuoteSlot Slot);

/// <summary>Session → this node's <see cref="QuoteHubActor"/>: stop (the slot is closed already).</summary>
public sealed record UnfollowQuotes(QuoteSlot Slot);

/// <summary>
/// The node's quote fan-out: one child per symbol that a session on this node follows. The child is this
/// node's only pub-sub subscriber of the symbol's quote topic, whatever the number of sockets, and puts
/// each quote into every follower's <see cref="QuoteSlot"/> (a write, not a message per socket). Sessions
/// still own everything else: frames, pacing, limits, slow consumers (docs/decisions/0004-quote-fanout-slots.md).
/// </summary>
public sealed class QuoteHubActor : ReceiveActor
{
    private readonly Dictionary<string, IActorRef> _fanouts = new(StringComparer.Ordinal);

    public QuoteHubActor(IActorRef mediator, IActorRef tickers, string? fanoutDispatcher)
    {
        Receive<FollowQuotes>(follow => FanoutOf(follow.Slot.Symbol).Forward(follow));
        Receive<UnfollowQuotes>(unfollow =>
        {
            if (_fanouts.TryGetValue(unfollow.Slot.Symbol, out var fanout))
            {
                fanout.Forward(unfollow);
            }
        });

        IActorRef FanoutOf(string symbol)
        {
            if (!_fanouts.TryGetValue(symbol, out var fanout))
            {
                // Kept while the node runs (at most one per catalog symbol); idle ones leave the topic.
                var props = QuoteFanoutActor.Props(symbol, mediator, tickers);
                fanout = Context.ActorOf(fanoutDispatcher is null ? props : props.WithDispatcher(fanoutDispatcher), Uri.EscapeDataString(symbol));
                _fanouts.Add(symbol, fanout);
            }

            return fanout;
        }
    }

    /// <param name="fanoutDispatcher">The dispatcher the per-symbol fan-outs run on; null: the hub's own.</param>
    public static Props Props(IActorRef mediator, IActorRef tickers, string? fanoutDispatcher = null) =>
        Akka.Actor.Props.Create(() => new QuoteHubActor(mediator, tickers, fanoutDispatcher));
}

/// <summary>
/// One symbol's fan-out on one node: subscribed to the symbol's quote topic while anyone here follows it,
/// it keeps the newest quote (so a new follower gets it at once) and offers every newer one to each slot:
/// a quote whose sequence is not above the newest one's is dropped, so no follower sees it go back.
/// Once subscribed it asks the ticker for the current quote, so no publish falls between subscribing and
/// the first quote.
/// </summary>
public sealed class QuoteFanoutActor : ReceiveActor
{
    private readonly string _symbol;
    private readonly IActorRef _mediator;
    private readonly IActorRef _tickers;
    private readonly List<QuoteSlot> _slots = [];
    private readonly Dictionary<IActorRef, QuoteSlot> _bySession = [];
    private readonly NodeMetrics _metrics = NodeMetrics.Get(Context.System);
    private SharedQuote? _latest;
    private bool _subscribed;
    private bool _acknowledged;

    public QuoteFanoutActor(string symbol, IActorRef mediator, IActorRef tickers)
    {
        _symbol = symbol;
        _mediator = mediator;
        _tickers = tickers;

        Receive<Quote>(quote =>
        {
            if (quote.Symbol != _symbol || _slots.Count == 0)
            {
                return;
            }

            if (!quote.IsNewerThan(_latest?.Quote))
            {
                // The same quote again (a publish and a GetQuote answer), or a stale one from an earlier
                // incarnation of the ticker that woke up after it was replaced: never offered.
                if (quote.Sequence < _latest!.Quote.Sequence)
                {
                    _metrics.StaleQuotesDropped.Add(1);
                }

                return;
            }

            var shared = new SharedQuote(quote); // serialized once here, for every socket on the node
            _latest = shared;
            var conflated = 0;
            foreach (var slot in _slots)
            {
                if (slot.Offer(shared))
                {
                    conflated++;
                }
            }

            if (conflated > 0)
            {
                _metrics.UpdatesConflated.Add(conflated);
            }
        });
        Receive<FollowQuotes>(follow => Add(follow.Slot));
        Receive<UnfollowQuotes>(unfollow => Remove(unfollow.Slot));
        Receive<Terminated>(terminated =>
        {
            if (_bySession.TryGetValue(terminated.ActorRef, out var slot))
            {
                Remove(slot);
            }
        });
        Receive<SubscribeAck>(_ =>
        {
            _acknowledged = _subscribed;
            if (_acknowledged)
            {
                _tickers.Tell(new GetQuote(_symbol));
            }
        });
        Receive<UnsubscribeAck>(_ => { });
        Receive<QuoteUnavailable>(_ => { });
    }

    public static Props Props(string symbol, IActorRef mediator, IActorRef tickers) =>
        Akka.Actor.Props.Create(() => new QuoteFanoutActor(symbol, mediator, tickers));

    private void Add(QuoteSlot slot)
    {
        var session = slot.Inbox.Session;
        if (slot.Closed || slot.Index >= 0)
        {
            return;
        }

        if (_bySession.Remove(session, out var previous))
        {
            RemoveAt(previous);
        }
        else
        {
            Context.Watch(session);
        }

        slot.Index = _slots.Count;
        _slots.Add(slot);
        _bySession.Add(session, slot);

        if (!_subscribed)
        {
            _subscribed = true;
            _mediator.Tell(new Subscribe(Topics.Quotes(_symbol), Self));
        }
        else if (_latest is not null && slot.Offer(_latest))
        {
            _metrics.UpdatesConflated.Add(1);
        }
        else if (_acknowledged)
        {
            _tickers.Tell(new GetQuote(_symbol));
        }
    }

    private void Remove(QuoteSlot slot)
    {
        var session = slot.Inbox.Session;
        if (slot.Index < 0 || !_bySession.TryGetValue(session, out var current) || current != slot)
        {
            return;
        }

        _bySession.Remove(session);
        Context.Unwatch(session);
        RemoveAt(slot);

        if (_slots.Count == 0)
        {
            // Nobody here follows the symbol: leave the topic, so its quotes stop coming to this node.
            _mediator.Tell(new Unsubscribe(Topics.Quotes(_symbol), Self));
            _subscribed = false;
            _acknowledged = false;
            _latest = null;
        }
    }

    private void RemoveAt(QuoteSlot slot)
    {
        // Swap with the last: order among followers does not matter.
        var last = _slots[^1];
        _slots[slot.Index] = last;
        last.Index = slot.Index;
        _slots.RemoveAt(_slots.Count - 1);
        slot.Index = -1;
    }
}
