namespace ActorQuotes.Actors.Sessions;

/// <summary>
/// Where a session actor writes its frames: the gateway's WebSocket. The session never has more than
/// one frame in flight, so an implementation needs no queue; only a close may overlap the last frame,
/// and implementations serialize the two.
/// </summary>
public interface IFrameSink
{
    /// <summary>Sends one text frame; completes when the socket took it.</summary>
    Task SendAsync(ReadOnlyMemory<byte> frame);

    /// <summary>Closes the socket with a close code and a short reason.</summary>
    Task CloseAsync(int closeCode, string reason);

    /// <summary>Drops the connection without a close handshake (a peer that stopped reading).</summary>
    void Abort();
}
