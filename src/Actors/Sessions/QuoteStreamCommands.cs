namespace ActorQuotes.Actors.Sessions;

/// <summary>Gateway → quote session: the client asked to follow more symbols. Local only.</summary>
public sealed record SubscribeSymbols(IReadOnlyList<string> Symbols);

/// <summary>Gateway → quote session: the client asked to stop following symbols. Local only.</summary>
public sealed record UnsubscribeSymbols(IReadOnlyList<string> Symbols);

/// <summary>Gateway → session: the client sent something unusable; tell it, keep the socket open. Local only.</summary>
public sealed record ClientMessageRejected(string Code, string Message);

/// <summary>
/// Gateway → quote session: one client message (<see cref="SubscribeSymbols"/>, <see cref="UnsubscribeSymbols"/> or
/// <see cref="ClientMessageRejected"/>), asked. The session replies <see cref="ClientMessageHandled"/> once it has
/// handled it, and the gateway reads the client's next message only then: a client that sends faster than its
/// session handles waits in TCP, not in the session's mailbox. Local only.
/// </summary>
public sealed record ClientMessage(object Message);

/// <summary>Quote session → gateway: the <see cref="ClientMessage"/> is handled; read the next one. Local only.</summary>
public sealed class ClientMessageHandled
{
    public static readonly ClientMessageHandled Instance = new();

    private ClientMessageHandled()
    {
    }
}
