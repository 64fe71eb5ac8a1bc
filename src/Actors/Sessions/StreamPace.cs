namespace ActorQuotes.Actors.Sessions;

/// <summary>
/// A socket's own stream options (query string): at most one frame per <paramref name="Interval"/>
/// (zero: as soon as the socket takes it), and for watchlists whether frames carry only what changed.
/// </summary>
public sealed record StreamPace(TimeSpan Interval, bool ChangesOnly)
{
    public static readonly TimeSpan MaxInterval = TimeSpan.FromMilliseconds(60_000);
}
