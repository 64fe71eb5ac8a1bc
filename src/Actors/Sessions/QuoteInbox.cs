using ActorQuotes.Contracts.Frames;
using ActorQuotes.Contracts.Tickers;
using Akka.Actor;

namespace ActorQuotes.Actors.Sessions;

/// <summary>
/// One session's side of the node's quote fan-out: the slots (one per followed symbol) that hold a quote
/// the session has not taken yet, in the order they filled. A slot that already holds a quote is replaced
/// in place (conflation), so a session that falls behind holds at most one quote per symbol however fast
/// quotes come, and the session is woken with one <see cref="QuotesReady"/> per batch, not one message
/// per quote: it takes the whole batch under one lock. Shared between the fan-out actors (any thread) and
/// the session (its own thread).
/// </summary>
public sealed class QuoteInbox(IActorRef session)
{
    private readonly Lock _lock = new();
    private Queue<QuoteSlot> _ready = new();
    private Queue<QuoteSlot> _batch = new();
    private bool _wakeSent;
    private long _conflated;

    public IActorRef Session => session;

    /// <summary>Quotes replaced in a slot before the session took them.</summary>
    public long Conflated => Interlocked.Read(ref _conflated);

    /// <summary>
    /// Session: takes every slot filled since the last batch, each at most once (a slot that holds a quote
    /// conflates further ones instead of queueing again), or null when none is. The next quote offered after
    /// this call wakes the session again. The caller empties the batch before it takes the next one.
    /// </summary>
    public Queue<QuoteSlot>? TakeBatch()
    {
        lock (_lock)
        {
            _wakeSent = false;
            if (_ready.Count == 0)
            {
                return null;
            }

            (_ready, _batch) = (_batch, _ready);
            return _batch;
        }
    }

    internal void Filled(QuoteSlot slot)
    {
        bool wake;
        lock (_lock)
        {
            _ready.Enqueue(slot);
            wake = !_wakeSent;
            _wakeSent = true;
        }

        if (wake)
        {
            session.Tell(QuotesReady.Instance, ActorRefs.NoSender);
        }
    }

    internal void CountConflated() => Interlocked.Increment(ref _conflated);
}

/// <summary>
/// One session following one symbol. <see cref="Offer"/> (the symbol's fan-out actor) and
/// <see cref="Take"/> (the session) meet on one field; <see cref="Latest"/> and <see cref="Unsent"/>
/// belong to the session alone.
/// </summary>
public sealed class QuoteSlot(string symbol, QuoteInbox inbox)
{
    private SharedQuote? _offered;
    private volatile bool _closed;

    public string Symbol => symbol;

    public QuoteInbox Inbox => inbox;

    /// <summary>Session only: the newest quote it accepted for this symbol.</summary>
    public Quote? Latest { get; set; }

    /// <summary>Session only: the quote waiting for the session's next frame, if any.</summary>
    public SharedQuote? Unsent { get; set; }

    /// <summary>True once the session stopped following the symbol: offers are dropped.</summary>
    public bool Closed => _closed;

    /// <summary>Fan-out only: the slot's place in its fan-out's list.</summary>
    internal int Index { get; set; } = -1;

    /// <summary>Session: stops the slot; a quote already in it is dropped when taken.</summary>
    public void Close() => _closed = true;

    /// <summary>Session: the quote offered since the last take, or null.</summary>
    public SharedQuote? Take() => Interlocked.Exchange(ref _offered, null);

    /// <summary>
    /// Fan-out: puts the quote in the slot. True when it replaced one the session had not taken (conflated);
    /// the fan-out adds those to the node's counter once per quote, not once per socket.
    /// </summary>
    internal bool Offer(SharedQuote quote)
    {
        if (_closed)
        {
            return false;
        }

        if (Interlocked.Exchange(ref _offered, quote) is null)
        {
            inbox.Filled(this);
            return false;
        }

        inbox.CountConflated();
        return true;
    }
}

/// <summary>
/// A published quote with its quote-frame bytes (<see cref="FrameWriter.QuoteTail"/>), built once per node
/// by the symbol's fan-out and shared by every session that follows the symbol: a quote-stream socket only
/// writes its own <c>{"type":"quote","sequence":n,</c> in front.
/// </summary>
public sealed class SharedQuote(Quote quote)
{
    public Quote Quote => quote;

    public byte[] Tail { get; } = FrameWriter.QuoteTail(quote);
}

/// <summary>Fan-out → session: one or more of its slots hold a quote. Local only, never remoted.</summary>
public sealed class QuotesReady
{
    public static readonly QuotesReady Instance = new();

    private QuotesReady()
    {
    }
}
