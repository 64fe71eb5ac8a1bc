namespace ActorQuotes.Contracts;

/// <summary>
/// A write that may carry the client's Idempotency-Key (added after the first release, so absent in old
/// payloads). The entity stores the key in the event that makes the change, and answers a retry with the
/// first result.
/// </summary>
public interface IKeyedWrite
{
    string? IdempotencyKey { get; }
}
