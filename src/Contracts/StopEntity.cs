using ActorQuotes.Contracts.Serialization;

namespace ActorQuotes.Contracts;

/// <summary>
/// Shard → entity: stop now (hand-off or idle passivation). Used instead of PoisonPill so a persistent
/// entity finishes the writes it has started before it stops.
/// </summary>
[SerializationManifest("aq.stop-entity")]
public sealed record StopEntity : IActorQuotesMessage
{
    public static readonly StopEntity Instance = new();
}
