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
