namespace ActorQuotes.Client;

/// <summary>
/// What a stream's <c>ReadAllAsync</c> yields: a frame from the server (<see cref="PriceUpdate"/>,
/// <see cref="QuoteUpdate"/>, <see cref="Subscribed"/>, <see cref="Heartbeat"/>, <see cref="ErrorFrame"/>)
/// or something the client saw happen to the connection (<see cref="Connected"/>, <see cref="Disconnected"/>,
/// <see cref="GapDetected"/>). Switch on the type.
/// </summary>
public abstract record StreamEvent;

/// <summary>A server frame that carries the socket's <c>sequence</c> (every frame but errors).</summary>
public abstract record SequencedFrame : StreamEvent
{
    /// <summary>+1 per frame on this socket, starting at 1; it starts over on every new socket.</summary>
    public long Sequence { get; init; }
}

/// <summary>
/// A socket is open (and, for a quote stream, the current symbol set has been sent). <paramref name="Connection"/>
/// is 1 for the first socket of the enumeration and grows by one per reconnect.
/// </summary>
/// <param name="Endpoint">The stream's address, without the token.</param>
/// <param name="Connection">Which socket of this enumeration this is, from 1.</param>
public sealed record Connected(Uri Endpoint, int Connection) : StreamEvent;

/// <summary>
/// A socket closed or a connection attempt failed. With <paramref name="WillRetry"/> the client reconnects
/// after <paramref name="RetryIn"/>; without it the enumeration ends with a <see cref="StreamClosedException"/>.
/// </summary>
/// <param name="CloseCode">
/// The WebSocket close code (see <see cref="StreamCloseCodes"/>); 1006 when the connection failed or dropped
/// without a close frame, 1005 when the close frame carried no code.
/// </param>
/// <param name="Reason">The server's close reason (its error code, such as <c>unauthorized</c>), or what failed.</param>
/// <param name="WillRetry">Whether the client will reconnect.</param>
/// <param name="RetryIn">The backoff before the next attempt; null when there is none.</param>
public sealed record Disconnected(int CloseCode, string? Reason, bool WillRetry, TimeSpan? RetryIn) : StreamEvent;

/// <summary>
/// A frame's <c>sequence</c> was not the previous one + 1 on the same socket: frames were lost. Yielded just
/// before the frame that revealed it. A new socket starting again at 1 is not a gap.
/// </summary>
/// <param name="Expected">The sequence that should have come.</param>
/// <param name="Received">The sequence that came.</param>
public sealed record GapDetected(long Expected, long Received) : StreamEvent;
