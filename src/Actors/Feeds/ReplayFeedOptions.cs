namespace ActorQuotes.Actors.Feeds;

/// <summary>Settings of the CSV replay feed (configuration section <c>Feeds:Replay</c>).</summary>
public sealed class ReplayFeedOptions
{
    public const string Section = "Feeds:Replay";

    /// <summary>Whether this node replays a file.</summary>
    public bool Enabled { get; set; }

    /// <summary>The CSV file to replay (relative paths are taken from the working directory).</summary>
    public string? Path { get; set; }

    /// <summary>How much faster than recorded time to replay: 1 is real time, 60 plays a minute per second.</summary>
    public double Speed { get; set; } = 1.0;

    /// <summary>Whether to start over after the last row instead of stopping.</summary>
    public bool Loop { get; set; }
}
