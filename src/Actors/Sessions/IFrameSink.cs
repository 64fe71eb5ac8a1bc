namespace ActorQuotes.Actors.Sessions;

/// <summary>
/// Where a session actor writes its frames: the gateway's WebSocket. The session never has more than
/// one frame in flight, so an implementation needs no queue; only a close may overlap the last frame,
/// and implementations serialize the two.
/// </summary>
public interface IFrameSink
{
    /// <summary>
    /// Sends one text frame; completes when the socket took it. With <paramref name="more"/> the caller sends
    /// another frame right after this one (if this one completes at once), so the sink may hold this one and
    /// write both, and any more, together: one write to the connection per batch instead of one per frame.
    /// The batch's last frame is sent without <paramref name="more"/>.
    /// </summary>
    Task SendAsync(ReadOnlyMemory<byte> frame, bool more = false);

    /// <summary>Closes the socket with a close code and a short reason.</summary>
    Task CloseAsync(int closeCode, string reason);

    /// <summary>
    /// Drops the connection (a peer that stopped reading). <paramref name="closeCode"/> is the close the session
    /// asked for (0: none); an implementation tries, briefly, to put it on the connection first.
    /// </summary>
    void Abort(int closeCode, string reason);
}
