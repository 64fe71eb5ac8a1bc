using System.Net.WebSockets;

namespace ActorQuotes.Client.Internal;

/// <summary>
/// One open socket: its single receive buffer (grown by doubling up to the message limit, never beyond), and a
/// gate that keeps sends (client messages, close frames) one at a time, as <see cref="ClientWebSocket"/> requires.
/// Only the stream's enumeration receives.
/// </summary>
internal sealed class StreamConnection : IAsyncDisposable
{
    /// <summary>How long sending a close frame may take before the socket is just dropped.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly int _maxMessageSize;
    private readonly TimeProvider _time;
    private byte[] _buffer;

    private StreamConnection(ClientWebSocket socket, ActorQuotesClientOptions options)
    {
        _socket = socket;
        _maxMessageSize = options.MaxMessageSize;
        _time = options.TimeProvider;
        _buffer = new byte[options.ReceiveBufferSize];
    }

    public bool IsOpen => _socket.State == WebSocketState.Open;

    /// <summary>Connects, or says why not: a refused upgrade with HTTP 4xx (but 408/429) is fatal, the rest retryable.</summary>
    public static async Task<(StreamConnection? Connection, StreamEnd Failure)> OpenAsync(
        Uri uri, ActorQuotesClientOptions options, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        var opened = false;
        try
        {
            socket.Options.CollectHttpResponseDetails = true;
            socket.Options.KeepAliveInterval = options.KeepAliveInterval;
            if (options.KeepAliveInterval > TimeSpan.Zero)
            {
                socket.Options.KeepAliveTimeout = options.KeepAliveInterval;
            }

            options.ConfigureWebSocket?.Invoke(socket.Options);
            using var timeout = new CancellationTokenSource(options.ConnectTimeout, options.TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                await socket.ConnectAsync(uri, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (null, new StreamEnd(StreamCloseCodes.Abnormal, $"no connection within {options.ConnectTimeout.TotalSeconds:0.#} s", Fatal: false));
            }
            catch (WebSocketException e)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var status = (int)socket.HttpStatusCode;
                return status is >= 400 and < 500 and not 408 and not 429
                    ? (null, new StreamEnd(StreamCloseCodes.Abnormal, $"the upgrade was refused with HTTP {status}", Fatal: true, Code: $"http_{status}"))
                    : (null, new StreamEnd(StreamCloseCodes.Abnormal, Describe(e), Fatal: false));
            }

            opened = true;
            return (new StreamConnection(socket, options), default);
        }
        finally
        {
            if (!opened)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>
    /// The next whole text message (valid until the next call), or how the socket ended. Answers the server's
    /// close frame. Throws only <see cref="OperationCanceledException"/>.
    /// </summary>
    public async ValueTask<(ReadOnlyMemory<byte> Message, StreamEnd? End)> ReceiveAsync(CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            if (length == _buffer.Length)
            {
                if (_buffer.Length >= _maxMessageSize)
                {
                    await CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message_too_large").ConfigureAwait(false);
                    return (default, new StreamEnd(StreamCloseCodes.MessageTooBig, $"a message was larger than {_maxMessageSize} bytes",
                        Fatal: true, Code: "message_too_large"));
                }

                Array.Resize(ref _buffer, (int)Math.Min(2L * _buffer.Length, _maxMessageSize));
            }

            ValueWebSocketReceiveResult result;
            try
            {
                result = await _socket.ReceiveAsync(_buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            }
            catch (WebSocketException e)
            {
                cancellationToken.ThrowIfCancellationRequested();
                return (default, new StreamEnd(StreamCloseCodes.Abnormal, Describe(e), Fatal: false));
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                var code = _socket.CloseStatus is { } status and not WebSocketCloseStatus.Empty ? (int)status : StreamCloseCodes.NoStatus;
                await AnswerCloseAsync().ConfigureAwait(false);
                return (default, new StreamEnd(code, _socket.CloseStatusDescription, Fatal: !StreamCloseCodes.IsRetryable(code)));
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    await CloseOutputAsync(WebSocketCloseStatus.InvalidPayloadData, "invalid_frame").ConfigureAwait(false);
                    return (default, new StreamEnd(StreamCloseCodes.InvalidPayload, "the server sent a binary message", Fatal: false));
                }

                return (_buffer.AsMemory(0, length), null);
            }
        }
    }

    /// <summary>Sends one text message. Throws <see cref="WebSocketException"/> when the socket is no longer open.</summary>
    public async ValueTask SendTextAsync(ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken)
    {
        await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_socket.State != WebSocketState.Open)
            {
                throw new WebSocketException(WebSocketError.InvalidState, "the socket is not open");
            }

            await _socket.SendAsync(utf8, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>Starts the close handshake from this side (the server answers; nothing waits for it). Never throws.</summary>
    public Task CloseOutputAsync(WebSocketCloseStatus status, string reason) =>
        SendCloseAsync(WebSocketState.Open, status, reason);

    /// <summary>Closes politely if still open, then frees the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        await CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye").ConfigureAwait(false);
        _socket.Dispose();
    }

    private static string Describe(WebSocketException e) =>
        e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;

    /// <summary>Echoes the server's close code, as RFC 6455 asks, so the server is not left waiting.</summary>
    private Task AnswerCloseAsync()
    {
        var status = _socket.CloseStatus is { } s and not WebSocketCloseStatus.Empty ? s : WebSocketCloseStatus.NormalClosure;
        return SendCloseAsync(WebSocketState.CloseReceived, status, null);
    }

    private async Task SendCloseAsync(WebSocketState when, WebSocketCloseStatus status, string? reason)
    {
        using var timeout = new CancellationTokenSource(CloseTimeout, _time);
        try
        {
            await _sendGate.WaitAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                if (_socket.State == when)
                {
                    await _socket.CloseOutputAsync(status, reason, timeout.Token).ConfigureAwait(false);
                }
            }
            finally
            {
                _sendGate.Release();
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The peer is gone or not reading; the socket is dropped next anyway.
        }
    }
}
