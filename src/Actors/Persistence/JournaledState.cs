namespace ActorQuotes.Actors.Persistence;

/// <summary>
/// Persistent entity → its <see cref="DurableEntityHost"/>: the state after recovery and after every
/// journaled change. Local only (parent and child live in one process), never serialized.
/// </summary>
public sealed record JournaledState(object State);
