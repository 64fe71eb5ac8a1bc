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

    /// <summary>A server WebSocket in a <see cref="WebSocketFrameSink"/> and its client, over loopback TCP.</summary>
    private sealed class SocketPair(WebSocket server, WebSocket client) : IDisposable
    {
        public WebSocket Server { get; } = server;

        public WebSocket Client { get; } = client;

        public WebSocketFrameSink Sink { get; } = new(server);

        public static async Task<SocketPair> OpenAsync()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var client = new TcpClient();
            var accepting = listener.AcceptTcpClientAsync();
            await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
            var server = await accepting;
            return new SocketPair(
                WebSocket.CreateFromStream(server.GetStream(), new WebSocketCreationOptions { IsServer = true }),
                WebSocket.CreateFromStream(client.GetStream(), new WebSocketCreationOptions { IsServer = false }));
        }

        public void Dispose()
        {
            Sink.Dispose();
            Client.Dispose();
            Server.Dispose();
        }
    }
}
