namespace ActorQuotes.Actors.Sessions;

/// <summary>Gateway → session: the client has gone; stop. Local only, never remoted.</summary>
public sealed class SessionStop
{
    public static readonly SessionStop Instance = new();

    private SessionStop()
    {
    }
}
