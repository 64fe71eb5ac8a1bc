namespace ActorQuotes.Contracts;

/// <summary>
/// Marks every message, event and snapshot that crosses a process boundary or reaches the journal.
/// All of them are bound to <see cref="Serialization.ActorQuotesSerializer"/> with a fixed string manifest.
/// </summary>
public interface IActorQuotesMessage;
