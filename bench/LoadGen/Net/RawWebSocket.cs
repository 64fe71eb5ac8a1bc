using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace ActorQuotes.Bench.LoadGen.Net;

/// <summary>
/// A minimal WebSocket client over a plain socket, so that one read takes every frame the kernel holds
/// (many per syscall under load) and the generator's cost per frame stays far below the servers'. Handles
/// the upgrade, text frames, ping (answers pong) and close; messages are not fragmented by the servers here.
/// </summary>
public sealed class RawWebSocket : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RawWebSocket(Socket socket) => _socket = socket;

    /// <summary>Opens a WebSocket to <paramref name="pathAndQuery"/>; throws with the status line if not upgraded.</summary>
    public static async Task<RawWebSocket> ConnectAsync(IPEndPoint endpoint, string pathAndQuery, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken);
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var request = new StringBuilder()
                .Append("GET ").Append(pathAndQuery).Append(" HTTP/1.1\r\n")
                .Append("Host: ").Append(endpoint).Append("\r\n")
                .Append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                .Append("Sec-WebSocket-Key: ").Append(key).Append("\r\nSec-WebSocket-Version: 13\r\n");
            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                request.Append(name).Append(": ").Append(value).Append("\r\n");
            }

            await socket.SendAsync(Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()), SocketFlags.None, cancellationToken);
            var ws = new RawWebSocket(socket);
            await ws.ReadUpgradeAsync(cancellationToken);
            return ws;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task SendTextAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        await SendFrameAsync(FrameHeader.Text, payload, cancellationToken);

    /// <summary>
    /// Reads frames until the server closes or <paramref name="cancellationToken"/> fires, calling
    /// <paramref name="onText"/> for each text message (its bytes are valid only during the call). Before
    /// each read it awaits <paramref name="gate"/>'s task if given, which lets a test stop a client reading.
    /// </summary>
    public async Task RunAsync(Action<ReadOnlySpan<byte>> onText, CancellationToken cancellationToken, Func<Task>? gate = null)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            while (WebSocketFrames.TryReadHeader(_buffer.AsSpan(_start, _end - _start), out var header)
                   && _end - _start >= header.FrameLength)
            {
                var payload = _buffer.AsMemory(_start + header.HeaderLength + (header.Masked ? 4 : 0), (int)header.PayloadLength);
                _start += (int)header.FrameLength;
                switch (header.Opcode)
                {
                    case FrameHeader.Text:
                        onText(payload.Span);
                        break;
                    case FrameHeader.Ping:
                        await SendFrameAsync(FrameHeader.Pong, payload.ToArray(), cancellationToken);
                        break;
                    case FrameHeader.Close:
                        await CloseQuietlyAsync();
                        return;
                }
            }

            if (gate is not null)
            {
                await gate();
            }

            if (!await FillAsync(cancellationToken))
            {
                return;
            }
        }
    }

    /// <summary>Reads the next text message (for request/response use such as the feed's acks).</summary>
    public async Task<byte[]?> ReceiveTextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            while (WebSocketFrames.TryReadHeader(_buffer.AsSpan(_start, _end - _start), out var header)
                   && _end - _start >= header.FrameLength)
            {
                var payload = _buffer.AsSpan(_start + header.HeaderLength + (header.Masked ? 4 : 0), (int)header.PayloadLength).ToArray();
                _start += (int)header.FrameLength;
                switch (header.Opcode)
                {
                    case FrameHeader.Text:
                        return payload;
                    case FrameHeader.Ping:
                        await SendFrameAsync(FrameHeader.Pong, payload, cancellationToken);
                        break;
                    case FrameHeader.Close:
                        await CloseQuietlyAsync();
                        return null;
                }
            }

            if (!await FillAsync(cancellationToken))
            {
                return null;
            }
        }
    }

    /// <summary>Sends a close frame (1000) and shuts the socket; never throws.</summary>
    public async Task CloseQuietlyAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await SendFrameAsync(FrameHeader.Close, new byte[] { 0x03, 0xE8 }, timeout.Token);
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    /// <summary>Drops the connection without a close handshake.</summary>
    public void Abort()
    {
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
        }

        _socket.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _sendLock.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task SendFrameAsync(int opcode, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var frame = WebSocketFrames.ClientFrame(opcode, payload.Span, (uint)Random.Shared.Next());
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            var sent = 0;
            while (sent < frame.Length)
            {
                sent += await _socket.SendAsync(frame.AsMemory(sent), SocketFlags.None, cancellationToken);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Reads more bytes after those not yet consumed; false when the peer closed.</summary>
    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        try
        {
            var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
            _end += read;
            return read > 0;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private async Task ReadUpgradeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var headerEnd = _buffer.AsSpan(0, _end).IndexOf("\r\n\r\n"u8);
            if (headerEnd >= 0)
            {
                var head = Encoding.ASCII.GetString(_buffer, 0, headerEnd);
                if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException("WebSocket upgrade refused: " + head.Split("\r\n")[0]);
                }

                _start = headerEnd + 4;
                return;
            }

            if (!await FillAsync(cancellationToken))
            {
                throw new InvalidOperationException("The server closed the connection during the WebSocket upgrade.");
            }
        }
    }
}
