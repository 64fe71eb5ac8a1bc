namespace ActorQuotes.Actors.Sessions;

/// <summary>Settings of the watchlist stream (configuration section <c>Streaming</c>).</summary>
public sealed class StreamingOptions
{
    public const string Section = "Streaming";

    /// <summary>
    /// The Akka dispatcher that the gateway runs session actors and the quote fan-out on: their own
    /// <see cref="DispatcherThreads"/> threads, so mailbox runs do not queue ahead of Kestrel's socket sends
    /// (docs/decisions/0005-streaming-dispatcher.md).
    /// </summary>
    public const string Dispatcher = "actorquotes.streaming-dispatcher";

    /// <summary>The mailbox the gateway gives session actors: <see cref="SessionMailbox"/> (hocon/actorquotes.hocon).</summary>
    public const string Mailbox = "actorquotes.session-mailbox";

    /// <summary>
    /// Threads of <see cref="Dispatcher"/> (1 to 256); default one per core, at least 2 (the benchmarked
    /// setting, with the server pinned to one core).
    /// </summary>
    public int DispatcherThreads { get; set; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>
    /// Frames a session has due at once go to the connection in one write (one pipe write and flush in
    /// Kestrel) instead of one each; false writes every frame on its own (docs/operations.md;
    /// docs/decisions/0010-batched-writes.md).
    /// </summary>
    public bool BatchFrames { get; set; } = true;

    /// <summary>At most one frame per socket per interval; quotes arriving between frames are conflated.</summary>
    public TimeSpan FrameInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A frame is sent at least this often, even if no price moved (the prototype's cadence).</summary>
    public TimeSpan MaxSilence { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the first frame waits for the current quote of every stock.</summary>
    public TimeSpan FirstFrameWait { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>WebSocket ping interval.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A peer that has not answered a ping for this long is dropped.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A heartbeat frame goes out after this long without any other frame.</summary>
    public TimeSpan HeartbeatAfter { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A client whose socket has not taken a frame for this long is closed with 4408 slow_consumer.</summary>
    public TimeSpan SlowConsumerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>After 4408 is queued, how long the client has to read it before the connection is dropped.</summary>
    public TimeSpan SlowConsumerCloseGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Sockets one user may hold open on one node (both streams together); more are closed with 4429.</summary>
    public int MaxSocketsPerUser { get; set; } = 20;

    /// <summary>Symbols one quote-stream socket may follow.</summary>
    public int MaxSymbolsPerSocket { get; set; } = 500;

    /// <summary>
    /// Bad client messages (each answered by an error frame) a quote-stream socket may send within
    /// <see cref="BadMessageWindow"/>; one more closes it with 4422 too_many_bad_messages.
    /// </summary>
    public int MaxBadMessages { get; set; } = 20;

    /// <summary>The window <see cref="MaxBadMessages"/> counts in (a fixed window that starts at the first bad message).</summary>
    public TimeSpan BadMessageWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The origin browsers load the page from, <c>scheme://host[:port]</c> (e.g. <c>https://quotes.example.com</c>):
    /// the one a proxy deployment publishes. Unset, the gateway's own origins are the URLs it listens on
    /// (a loopback one on any loopback name). Never taken from the request's Host header, which a client chooses.
    /// </summary>
    public string? PublicOrigin { get; set; }

    /// <summary>
    /// Browser origins allowed to open a WebSocket besides the gateway's own (exact scheme://host[:port]).
    /// Requests without an Origin header (non-browser clients) are allowed.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>
    /// Allow http(s)://localhost, 127.0.0.1 and [::1] on any port (a page on a dev server); unset, only in the
    /// Development environment.
    /// </summary>
    public bool? AllowLoopbackOrigins { get; set; }

    /// <summary>How long a session waits for its watchlist to answer before closing with 1013.</summary>
    public TimeSpan LoadTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
