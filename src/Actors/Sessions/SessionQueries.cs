namespace ActorQuotes.Actors.Sessions;

/// <summary>Admin → session on the same node: its counters. Replies <see cref="SessionInfo"/>. Local only, never remoted.</summary>
public sealed class GetSessionInfo
{
    public static readonly GetSessionInfo Instance = new();

    private GetSessionInfo()
    {
    }
}

/// <summary>
/// A session's state for operators: its user, what it follows (a watchlist, or the symbols of a quote
/// stream), frames handed to the socket (data and heartbeats), quotes conflated (replaced by a newer
/// quote of the same symbol before they were sent) and when it opened.
/// </summary>
public sealed record SessionInfo(
    long UserId,
    string Username,
    long? WatchlistId,
    IReadOnlyList<string> Symbols,
    long FramesSent,
    long Conflated,
    DateTimeOffset OpenedAt);

/// <summary>Admin → session on the same node: close the socket with 1008 (policy violation). No reply.</summary>
public sealed record KickSession(string Reason);
