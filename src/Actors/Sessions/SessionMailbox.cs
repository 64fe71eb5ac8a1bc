using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace ActorQuotes.Actors.Sessions;

/// <summary>
/// The session actors' mailbox (<see cref="StreamingOptions.Mailbox"/>): an unbounded queue that starts
/// small. Akka's default queue (a <c>ConcurrentQueue</c>) holds a 32-slot segment from the first message
/// on, about 1 KB per session, while an idle session has at most a few messages waiting: a
/// <see cref="QuotesReady"/> wake, a timer's tick (docs/decisions/0007-session-mailbox.md).
/// </summary>
public sealed class SessionMailbox(Settings settings, Config config)
    : MailboxType(settings, config), IProducesMessageQueue<SessionMessageQueue>
{
    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new SessionMessageQueue();
}

/// <summary>
/// A <see cref="Queue{T}"/> under a lock: any number of senders, one reader (the actor's mailbox run).
/// The queue's array starts at 4 envelopes and grows only if that many wait at once. The lock is the
/// queue object's own monitor, so it costs no object unless two threads meet on it.
/// </summary>
public sealed class SessionMessageQueue : IMessageQueue, IUnboundedMessageQueueSemantics
{
    private readonly Queue<Envelope> _queue = new();

    // Read without the lock: the dispatcher asks whether there are messages from any thread.
    private int _count;

    public bool HasMessages => Volatile.Read(ref _count) > 0;

    public int Count => Volatile.Read(ref _count);

    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        lock (_queue)
        {
            _queue.Enqueue(envelope);

            // A full fence: after this the sender reads the mailbox's status to decide whether to schedule
            // it, while a reader going idle sets that status and then reads this count. Each must see the
            // other's write, or a message could wait in an idle mailbox.
            Interlocked.Increment(ref _count);
        }
    }

    public bool TryDequeue(out Envelope envelope)
    {
        // Every mailbox run ends on an empty queue; that look takes no lock.
        if (Volatile.Read(ref _count) == 0)
        {
            envelope = default;
            return false;
        }

        lock (_queue)
        {
            if (!_queue.TryDequeue(out envelope))
            {
                return false;
            }

            // Only a reader going idle needs the fence, and it takes one when it sets the mailbox's status.
            Volatile.Write(ref _count, _count - 1);
            return true;
        }
    }

    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (TryDequeue(out var envelope))
        {
            deadletters.Enqueue(owner, envelope);
        }
    }
}
