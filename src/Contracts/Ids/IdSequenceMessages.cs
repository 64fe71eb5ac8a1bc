using ActorQuotes.Contracts.Routing;
using ActorQuotes.Contracts.Serialization;

namespace ActorQuotes.Contracts.Ids;

/// <summary>Names of the id sequences.</summary>
public static class IdSequences
{
    public const string Users = "users";
    public const string Watchlists = "watchlists";
}

/// <summary>Gateway → id sequence: the next id, journaled before it is handed out. Replies <see cref="IdAllocated"/>.</summary>
[SerializationManifest("aq.id.allocate")]
public sealed record AllocateId(string SequenceName) : IWithSequenceName, IActorQuotesMessage;

[SerializationManifest("aq.id.allocated")]
public sealed record IdAllocated(string SequenceName, long Value) : IActorQuotesMessage;

/// <summary>Journal event: <paramref name="Value"/> was handed out and will never be handed out again.</summary>
[SerializationManifest("aq.id.ev.reserved")]
public sealed record IdReserved(long Value) : IActorQuotesMessage;

/// <summary>Snapshot of an id sequence, so recovery does not replay every allocation.</summary>
[SerializationManifest("aq.id.snapshot")]
public sealed record IdSequenceSnapshot(long LastValue) : IActorQuotesMessage;
