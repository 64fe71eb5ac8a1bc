using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using ActorQuotes.Gateway.Streaming;

namespace ActorQuotes.Gateway.Tests;

public sealed class WebSocketFrameSinkTests
{
    [Fact(DisplayName = "A client that reads the server's close but never answers it is dropped after the close handshake timeout, which ends the server's read")]
    public async Task Unanswered_close_is_dropped()
    {
        using var pair = await SocketPair.OpenAsync();
        var (server, client, sink) = (pair.Server, pair.Client, pair.Sink);
        var reading = sink.ReceiveUntilClosedAsync(CancellationToken.None);

        await sink.CloseAsync(4400, "bad_request");
        var close = await client.ReceiveAsync(new byte[64], CancellationToken.None);

        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal(4400, (int)close.CloseStatus!);
        Assert.False(reading.IsCompleted);
        await reading.WaitAsync(WebSocketFrameSink.CloseHandshakeTimeout + TimeSpan.FromSeconds(10));
        Assert.Equal(WebSocketState.Aborted, server.State);
    }

    [Fact(DisplayName = "A client that answers the close ends the server's read at once, and the socket is closed, not aborted")]
    public async Task Answered_close_ends_the_read()
    {
        using var pair = await SocketPair.OpenAsync();
        var (server, client, sink) = (pair.Server, pair.Client, pair.Sink);
        var reading = sink.ReceiveUntilClosedAsync(CancellationToken.None);

        await sink.CloseAsync(1000, "bye");
        await client.ReceiveAsync(new byte[64], CancellationToken.None);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        await reading.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(WebSocketState.Closed, server.State);
    }

    [Fact(DisplayName = "Frames sent with more reach the client as separate messages, in order, from one write to the connection")]
    public async Task Batch_is_one_write()
    {
        using var pair = await SocketPair.OpenAsync(batching: true);
        var connection = pair.Sink.Connection!;

        Assert.True(pair.Sink.SendAsync("""{"n":1}"""u8.ToArray(), more: true).IsCompletedSuccessfully);
        Assert.True(pair.Sink.SendAsync("""{"n":2}"""u8.ToArray(), more: true).IsCompletedSuccessfully);
        Assert.Equal(0, connection.Writes);
        await pair.Sink.SendAsync("""{"n":3}"""u8.ToArray());

        Assert.Equal(1, connection.Writes);
        Assert.Equal(["""{"n":1}""", """{"n":2}""", """{"n":3}"""], [await pair.ReceiveText(), await pair.ReceiveText(), await pair.ReceiveText()]);
    }

    [Fact(DisplayName = "A held frame goes out ahead of a close, an error frame or a heartbeat sent without more")]
    public async Task Held_frame_goes_before_what_follows()
    {
        using var pair = await SocketPair.OpenAsync(batching: true);

        await pair.Sink.SendAsync("""{"n":1}"""u8.ToArray(), more: true);
        await pair.Sink.CloseAsync(4400, "bad_request");

        Assert.Equal("""{"n":1}""", await pair.ReceiveText());
        var close = await pair.Client.ReceiveAsync(new byte[64], CancellationToken.None);
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal(4400, (int)close.CloseStatus!);
    }

    [Fact(DisplayName = "Without a batching connection, more changes nothing: every frame is written on its own")]
    public async Task More_without_batching()
    {
        using var pair = await SocketPair.OpenAsync(batching: false);

        await pair.Sink.SendAsync("""{"n":1}"""u8.ToArray(), more: true);
        Assert.Equal("""{"n":1}""", await pair.ReceiveText());
        Assert.Null(pair.Sink.Connection);
    }

    /// <summary>A server WebSocket in a <see cref="WebSocketFrameSink"/> and its client, over loopback TCP.</summary>
    private sealed class SocketPair(WebSocket server, WebSocket client, CoalescingStream? connection) : IDisposable
    {
        public WebSocket Server { get; } = server;

        public WebSocket Client { get; } = client;

        public WebSocketFrameSink Sink { get; } = new(server, connection);

        /// <param name="batching">The server's WebSocket runs over a <see cref="CoalescingStream"/>, as the gateway's streams do.</param>
        public static async Task<SocketPair> OpenAsync(bool batching = false)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var client = new TcpClient();
            var accepting = listener.AcceptTcpClientAsync();
            await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
            var server = await accepting;
            var connection = batching ? new CoalescingStream(server.GetStream()) : null;
            return new SocketPair(
                WebSocket.CreateFromStream(connection ?? (Stream)server.GetStream(), new WebSocketCreationOptions { IsServer = true }),
                WebSocket.CreateFromStream(client.GetStream(), new WebSocketCreationOptions { IsServer = false }),
                connection);
        }

        public async Task<string> ReceiveText()
        {
            var buffer = new byte[256];
            var result = await Client.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            Assert.True(result.EndOfMessage);
            return System.Text.Encoding.UTF8.GetString(buffer, 0, result.Count);
        }

        public void Dispose()
        {
            Sink.Dispose();
            Client.Dispose();
            Server.Dispose();
        }
    }
}
