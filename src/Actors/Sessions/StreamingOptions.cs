namespace ActorQuotes.Actors.Sessions;

/// <summary>Settings of the watchlist stream (configuration section <c>Streaming</c>).</summary>
public sealed class StreamingOptions
{
    public const string Section = "Streaming";

    /// <summary>At most one frame per socket per interval; quotes arriving between frames are conflated.</summary>
    public TimeSpan FrameInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A frame is sent at least this often, even if no price moved (the prototype's cadence).</summary>
    public TimeSpan MaxSilence { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the first frame waits for the current quote of every stock.</summary>
    public TimeSpan FirstFrameWait { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a session waits for its watchlist to answer before closing with 1013.</summary>
    public TimeSpan LoadTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
