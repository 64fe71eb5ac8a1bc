namespace ActorQuotes.Actors.Persistence;

/// <summary>
/// Persistent entity → its <see cref="DurableEntityHost"/>: the state after recovery and after every
/// journaled change. Local only (parent and child live in one process), never serialized.
/// </summary>
public sealed record JournaledState(object State);

/// <summary>
/// Persistent entity → its <see cref="DurableEntityHost"/>: a write failed and Akka is about to stop the
/// entity. Sent before the caller is told, so the host answers the caller's next read from memory rather
/// than forwarding it to an entity that is stopping. Local only, never serialized.
/// </summary>
public sealed class JournalFailed
{
    public static readonly JournalFailed Instance = new();

    private JournalFailed()
    {
    }
}

/// <summary>
/// Persistent entity → its <see cref="DurableEntityHost"/>: it just answered a request and holds nothing worth
/// keeping in memory (a watchlist id that was never created): the host asks its shard to passivate it, so a
/// guessed id costs one journal read and no resident entity. Local only, never serialized.
/// </summary>
public sealed class NothingToKeep
{
    public static readonly NothingToKeep Instance = new();

    private NothingToKeep()
    {
    }
}
