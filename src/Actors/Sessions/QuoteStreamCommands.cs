namespace ActorQuotes.Actors.Sessions;

/// <summary>Gateway → quote session: the client asked to follow more symbols. Local only.</summary>
public sealed record SubscribeSymbols(IReadOnlyList<string> Symbols);

/// <summary>Gateway → quote session: the client asked to stop following symbols. Local only.</summary>
public sealed record UnsubscribeSymbols(IReadOnlyList<string> Symbols);

/// <summary>Gateway → session: the client sent something unusable; tell it, keep the socket open. Local only.</summary>
public sealed record ClientMessageRejected(string Code, string Message);
