using System.Buffers;
using ActorQuotes.Contracts.Frames;
using ActorQuotes.Contracts.Tickers;
using Akka.Actor;

namespace ActorQuotes.Actors.Sessions;

/// <summary>
/// One per quote-stream WebSocket. Follows the symbols the client subscribes to: answers each change of
/// the set with a <c>subscribed</c> frame (the whole set; changes handled while a frame waits for the socket
/// share one pending frame, so replies merge), sends the current quote of each new symbol at
/// once, then <c>quote</c> frames. Between rounds (one per interval) only the newest quote per symbol is
/// kept; a round sends every symbol that moved. Quote bytes are shared by all sockets of the node
/// (<see cref="SharedQuote"/>).
/// </summary>
public sealed class QuoteSessionActor : StreamSessionActor
{
    private readonly SortedSet<string> _symbols = new(StringComparer.Ordinal);

    // Per followed symbol, its slot in the node's fan-out. The queues hold slots with an unsent quote (a
    // slot whose symbol was unsubscribed has none and is skipped).
    private readonly Dictionary<string, QuoteSlot> _slots = new(StringComparer.Ordinal);
    private readonly Queue<QuoteSlot> _order = new();
    private readonly Queue<QuoteSlot> _immediate = new();
    private int _pendingCount;
    private bool _subscribedDue;
    private int _roundLeft;

    // Slots still in a queue although their symbol was unsubscribed with a quote unsent. They leave a queue only
    // when a frame is written, so a client that churns subscriptions and never reads would grow the queues
    // without bound; past a threshold they are swept out (amortized: each sweep follows as many unsubscribes).
    private int _stale;

    /// <summary>Stale queue entries tolerated before a sweep, whatever the number of live ones.</summary>
    private const int StaleSweepThreshold = 64;

    /// <summary>Unknown symbols named in one error frame; the rest are counted.</summary>
    private const int UnknownSymbolsListed = 20;

    public QuoteSessionActor(SessionUser user, IFrameSink sink, SessionServices services, StreamPace pace)
        : base(user, sink, services, pace.Interval)
    {
        Receive<ClientMessage>(message =>
        {
            Handle(message.Message);
            Sender.Tell(ClientMessageHandled.Instance);
        });
        Receive<SubscribeSymbols>(Handle);
        Receive<UnsubscribeSymbols>(Handle);
        Receive<ClientMessageRejected>(Handle);
        CommonHandlers();
    }

    public static Props Props(SessionUser user, IFrameSink sink, SessionServices services, StreamPace pace) =>
        Akka.Actor.Props.Create(() => new QuoteSessionActor(user, sink, services, pace));

    protected override IReadOnlyCollection<string> FollowedSymbols => _symbols;

    protected override bool HasFrame => _subscribedDue || _pendingCount > 0;

    // The subscribed frame, first quotes and the rest of a started round go at once.
    protected override bool Paced => !_subscribedDue && _immediate.Count == 0 && _roundLeft == 0;

    protected override void WriteFrame(IBufferWriter<byte> buffer, long sequence, DateTimeOffset now)
    {
        if (_subscribedDue)
        {
            _subscribedDue = false;
            FrameWriter.WriteSubscribed(buffer, sequence, _symbols, JsonWriter);
            return;
        }

        if (_roundLeft == 0 && _immediate.Count == 0)
        {
            _roundLeft = _order.Count;
        }

        var slot = NextSlot();
        var quote = slot.Unsent!;
        slot.Unsent = null;
        _pendingCount--;
        FrameWriter.WriteQuote(buffer, sequence, quote.Tail);
    }

    private QuoteSlot NextSlot()
    {
        while (true)
        {
            var slot = _immediate.Count > 0 ? _immediate.Dequeue() : DequeueRound();
            if (slot.Unsent is not null)
            {
                return slot;
            }

            _stale = Math.Max(0, _stale - 1);
        }

        QuoteSlot DequeueRound()
        {
            _roundLeft = Math.Max(0, _roundLeft - 1);
            return _order.Dequeue();
        }
    }

    /// <summary>A client message; once the session is closing, nothing a client sends changes anything.</summary>
    private void Handle(object message)
    {
        if (Closing)
        {
            return;
        }

        switch (message)
        {
            case SubscribeSymbols subscribe:
                OnSubscribe(subscribe);
                break;
            case UnsubscribeSymbols unsubscribe:
                OnUnsubscribe(unsubscribe);
                break;
            case ClientMessageRejected rejected:
                RejectClientMessage(rejected.Code, rejected.Message);
                break;
        }
    }

    private void OnSubscribe(SubscribeSymbols command)
    {
        var unknown = new List<string>();
        var added = new List<string>();
        foreach (var requested in command.Symbols)
        {
            if (Services.Catalog.Find(requested) is not { } company)
            {
                unknown.Add(requested.Length > 20 ? requested[..20] : requested);
            }
            else if (!_symbols.Contains(company.TickerSymbol) && !added.Contains(company.TickerSymbol))
            {
                added.Add(company.TickerSymbol);
            }
        }

        var max = Services.Options.MaxSymbolsPerSocket;
        if (_symbols.Count + added.Count > max)
        {
            RejectClientMessage("too_many_symbols", $"a socket follows at most {max} symbols; this one follows {_symbols.Count}");
            return;
        }

        // A message may name 1,500 unknown symbols: the frame names the first few and counts the rest.
        if (unknown.Count > 0 && !RejectClientMessage("unknown_symbol", "not in the catalog: " + string.Join(",", unknown.Take(UnknownSymbolsListed))
                + (unknown.Count > UnknownSymbolsListed ? $" and {unknown.Count - UnknownSymbolsListed} more" : string.Empty)))
        {
            return; // that was one bad message too many: the socket is closing
        }

        foreach (var symbol in added)
        {
            _symbols.Add(symbol);
            _slots.Add(symbol, FollowQuotes(symbol));
        }

        _subscribedDue = true;
        MaybeSend();
    }

    private void OnUnsubscribe(UnsubscribeSymbols command)
    {
        foreach (var requested in command.Symbols)
        {
            var symbol = Services.Catalog.Find(requested)?.TickerSymbol ?? requested;
            if (_symbols.Remove(symbol) && _slots.Remove(symbol, out var slot))
            {
                if (slot.Unsent is not null)
                {
                    slot.Unsent = null;
                    _pendingCount--;
                    _stale++;
                }

                UnfollowQuotes(slot);
            }
        }

        if (_stale > StaleSweepThreshold && _stale > _pendingCount)
        {
            SweepStale();
        }

        _subscribedDue = true;
        MaybeSend();
    }

    /// <summary>Drops the queue entries of unsubscribed slots, keeping the order and the round of the rest.</summary>
    private void SweepStale()
    {
        _roundLeft = KeepUnsent(_order, _roundLeft);
        KeepUnsent(_immediate, 0);
        _stale = 0;
    }

    /// <summary>
    /// Keeps only the slots of <paramref name="queue"/> with a quote unsent, in order; returns how many of its first
    /// <paramref name="front"/> entries stayed.
    /// </summary>
    private static int KeepUnsent(Queue<QuoteSlot> queue, int front)
    {
        var kept = 0;
        for (int i = 0, count = queue.Count; i < count; i++)
        {
            var slot = queue.Dequeue();
            if (slot.Unsent is not null)
            {
                queue.Enqueue(slot);
                kept += i < front ? 1 : 0;
            }
        }

        return kept;
    }

    protected override void OnQuote(QuoteSlot slot, SharedQuote quote)
    {
        if (!IsNext(slot, quote.Quote))
        {
            return;
        }

        var first = slot.Latest is null;
        slot.Latest = quote.Quote;
        // An unsent quote of the symbol is replaced in place (conflation); a new one joins a queue.
        if (slot.Unsent is null)
        {
            (first ? _immediate : _order).Enqueue(slot);
            _pendingCount++;
        }
        else
        {
            CountConflated();
        }

        slot.Unsent = quote;
    }
}
