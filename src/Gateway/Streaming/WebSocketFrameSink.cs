using System.Buffers;
using System.Net.WebSockets;
using ActorQuotes.Actors.Sessions;
using ActorQuotes.Contracts.Sessions;

namespace ActorQuotes.Gateway.Streaming;

/// <summary>
/// A server WebSocket as a session's <see cref="IFrameSink"/>. Sends and the close are serialized; the
/// request handler runs <see cref="ReceiveUntilClosedAsync"/> to read the client's side until it closes,
/// disconnects, or fails to answer our close within <see cref="CloseHandshakeTimeout"/> (then the
/// connection is dropped, which ends the read). Given the socket's <paramref name="connection"/>, frames
/// sent with <c>more</c> are held there and written with the batch's last frame, in one write.
/// </summary>
public sealed class WebSocketFrameSink(WebSocket socket, CoalescingStream? connection = null) : IFrameSink, IDisposable
{
    public static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long an abort waits for its close frame to be taken by the connection before it drops it.</summary>
    public static readonly TimeSpan AbortCloseWait = TimeSpan.FromSeconds(1);

    /// <summary>Client messages longer than this are not read into memory (the watchlist stream takes none).</summary>
    private const int ReceiveBufferBytes = 4096;

    private readonly SemaphoreSlim _gate = new(1, 1);

    // Made by the first close only: an open socket holds no timer (docs/benchmarks.md, "W3 memory per idle socket").
    private Timer? _closeDeadline;
    private Timer? _abortDeadline;
    private volatile bool _receiveEnded;

    /// <summary>True once this side's close frame has gone out (or the socket is gone): nothing more is sent.</summary>
    public bool OutputClosed => socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived);

    /// <summary>The connection the sink batches frames on, or null when each frame is written on its own.</summary>
    public CoalescingStream? Connection => connection;

    public Task SendAsync(ReadOnlyMemory<byte> frame, bool more = false)
    {
        if (!_gate.Wait(0))
        {
            return SendWhenFreeAsync(frame);
        }

        // The usual case: the socket is free and Kestrel buffers the frame (or the connection holds it), so
        // this completes without a state machine. No cancellation token, so the WebSocket takes its
        // lock-free path; a send that never completes ends with Abort (the slow-consumer rule).
        ValueTask sending;
        try
        {
            Hold(more);
            sending = SendOpen(frame);
        }
        catch (Exception e)
        {
            Hold(false);
            _gate.Release();
            return Task.FromException(e);
        }

        if (sending.IsCompletedSuccessfully)
        {
            sending.GetAwaiter().GetResult();
            _gate.Release();
            return Task.CompletedTask;
        }

        // The frame waits for the connection: the caller sends nothing more until it is taken, so what the
        // connection holds goes out now, ahead of this frame.
        return ReleaseWhenSentAsync(sending, more && connection is not null ? connection.ReleaseAsync() : ValueTask.CompletedTask);
    }

    private void Hold(bool more)
    {
        if (connection is not null)
        {
            connection.Holding = more;
        }
    }

    private async Task SendWhenFreeAsync(ReadOnlyMemory<byte> frame)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            Hold(false);
            await SendOpen(frame).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ReleaseWhenSentAsync(ValueTask sending, ValueTask releasing)
    {
        try
        {
            await Task.WhenAll(releasing.AsTask(), sending.AsTask()).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private ValueTask SendOpen(ReadOnlyMemory<byte> frame) =>
        socket.State == WebSocketState.Open
            ? socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None)
            : throw new WebSocketException(WebSocketError.InvalidState, "socket is no longer open");

    public async Task CloseAsync(int closeCode, string reason)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            Hold(false);
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync((WebSocketCloseStatus)closeCode, reason, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (WebSocketException)
        {
            // The peer is already gone; nothing to close.
        }
        finally
        {
            // Each close gives the client the whole timeout again, as before; under the gate, so one timer.
            _closeDeadline ??= new Timer(static s => ((WebSocket)s!).Abort(), socket, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _closeDeadline.Change(CloseHandshakeTimeout, Timeout.InfiniteTimeSpan);
            _gate.Release();
        }
    }

    /// <summary>
    /// Node shutdown: tells the client to reconnect elsewhere (1012), unless its stream has already
    /// ended (then the handler finishes the close with its own code).
    /// </summary>
    public void CloseForShutdown()
    {
        if (!_receiveEnded)
        {
            _ = CloseAsync(CloseCodes.ServiceRestart, "server shutting down");
        }
    }

    /// <summary>Reads and discards client messages until the socket closes. Never throws.</summary>
    public async Task ReceiveUntilClosedAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                if (await WaitForMessageAsync(cancellationToken).ConfigureAwait(false) is not { } first)
                {
                    return;
                }

                if (first.EndOfMessage)
                {
                    continue;
                }

                var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferBytes);
                try
                {
                    ValueWebSocketReceiveResult chunk;
                    do
                    {
                        chunk = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                        if (chunk.MessageType == WebSocketMessageType.Close)
                        {
                            return;
                        }
                    }
                    while (!chunk.EndOfMessage);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // Client vanished, or did not finish the close handshake in time.
        }
        finally
        {
            _receiveEnded = true;
        }
    }

    /// <summary>
    /// Waits for the next message with a zero-byte read, so an idle socket holds no receive buffer (a pooled
    /// one is rented only while a message is read). Null when the client closed.
    /// </summary>
    private async Task<ValueWebSocketReceiveResult?> WaitForMessageAsync(CancellationToken cancellationToken)
    {
        var result = await socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        return result.MessageType == WebSocketMessageType.Close ? null : result;
    }

    /// <summary>
    /// Drops the connection of a client that stopped reading. The close frame (<paramref name="closeCode"/>) it was
    /// sent may still wait behind the frame the client has not taken, in this sink's queue: it is attempted once
    /// more past that queue, straight on the WebSocket (which writes it after the frame it is sending), for at most
    /// <see cref="AbortCloseWait"/>. If the connection takes it, the client gets <see cref="CloseHandshakeTimeout"/>
    /// to answer, as after any close; if not, the connection is dropped now. Either way the socket's memory goes.
    /// </summary>
    public void Abort(int closeCode, string reason)
    {
        if (closeCode == 0 || socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            socket.Abort();
            return;
        }

        _ = CloseThenAbortAsync(closeCode, reason);
    }

    private async Task CloseThenAbortAsync(int closeCode, string reason)
    {
        try
        {
            using var wait = new CancellationTokenSource(AbortCloseWait);
            await socket.CloseOutputAsync((WebSocketCloseStatus)closeCode, reason, wait.Token).ConfigureAwait(false);
            _abortDeadline = new Timer(static s => ((WebSocket)s!).Abort(), socket, CloseHandshakeTimeout, Timeout.InfiniteTimeSpan);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException or InvalidOperationException)
        {
            socket.Abort();
        }
    }

    /// <summary>Ends a stream before it starts: one error frame, the close code, then the client's answer.</summary>
    public async Task RefuseAsync(int closeCode, string code, string message, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(Contracts.Frames.FrameWriter.ErrorFrame(code, message)).ConfigureAwait(false);
            await CloseAsync(closeCode, code).ConfigureAwait(false);
            await ReceiveUntilClosedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException)
        {
            // The client left before hearing why.
        }
    }

    /// <summary>
    /// Reads whole client text messages until the socket closes and hands each to <paramref name="onMessage"/>
    /// (null for one longer than <paramref name="maxBytes"/>, whose bytes are read and dropped). Never throws.
    /// </summary>
    public async Task ReceiveMessagesAsync(Func<ReadOnlyMemory<byte>?, Task> onMessage, int maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                if (await WaitForMessageAsync(cancellationToken).ConfigureAwait(false) is not { } first)
                {
                    return;
                }

                if (first.EndOfMessage)
                {
                    await onMessage(ReadOnlyMemory<byte>.Empty).ConfigureAwait(false);
                    continue;
                }

                // Rented for this one message and returned once onMessage has read it (it must not keep it).
                var rented = ArrayPool<byte>.Shared.Rent(maxBytes);
                try
                {
                    var buffer = rented.AsMemory(0, maxBytes);
                    var length = 0;
                    var tooLarge = false;
                    ValueWebSocketReceiveResult chunk;
                    do
                    {
                        var room = tooLarge ? buffer : buffer[length..];
                        chunk = await socket.ReceiveAsync(room, cancellationToken).ConfigureAwait(false);
                        if (chunk.MessageType == WebSocketMessageType.Close)
                        {
                            return;
                        }

                        // The room never passes the buffer's end, so a full buffer with more to come is too large.
                        if (!tooLarge)
                        {
                            length += chunk.Count;
                            tooLarge = length == buffer.Length && !chunk.EndOfMessage;
                        }
                    }
                    while (!chunk.EndOfMessage);

                    // (Typed null: a bare null would become an empty Memory through the array conversion.)
                    await onMessage(tooLarge ? (ReadOnlyMemory<byte>?)null : buffer[..length]).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // Client vanished, or did not finish the close handshake in time.
        }
        finally
        {
            _receiveEnded = true;
        }
    }

    /// <summary>Finishes the close handshake if the client started it and we have not answered.</summary>
    public Task CompleteAsync(int closeCode, string reason) =>
        socket.State is WebSocketState.Open or WebSocketState.CloseReceived ? CloseAsync(closeCode, reason) : Task.CompletedTask;

    public void Dispose()
    {
        _closeDeadline?.Dispose();
        _abortDeadline?.Dispose();
        _gate.Dispose();
    }
}
