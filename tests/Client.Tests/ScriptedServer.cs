using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorQuotes.Client.Tests;

/// <summary>
/// A WebSocket server on a free loopback port that plays one script per incoming connection, in order, for what
/// the real gateway does not do on demand: skip a sequence, send an oversized frame, refuse an upgrade.
/// </summary>
internal sealed class ScriptedServer : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _scripts;

    private ScriptedServer(WebApplication app, ConcurrentQueue<Func<HttpContext, Task>> scripts, ConcurrentQueue<string?> tokens)
    {
        _app = app;
        _scripts = scripts;
        Tokens = tokens;
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        WebSocketBase = new UriBuilder(BaseAddress) { Scheme = "ws" }.Uri;
    }

    /// <summary>http://127.0.0.1:port/</summary>
    public Uri BaseAddress { get; }

    /// <summary>ws://127.0.0.1:port/</summary>
    public Uri WebSocketBase { get; }

    /// <summary>The sockets accepted so far, in order.</summary>
    public ConcurrentQueue<ScriptedSocket> Sockets { get; } = new();

    /// <summary>The query token of every request, accepted or refused, in order.</summary>
    public ConcurrentQueue<string?> Tokens { get; }

    public static async Task<ScriptedServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseWebSockets();
        var queue = new ConcurrentQueue<Func<HttpContext, Task>>();
        var tokens = new ConcurrentQueue<string?>();
        app.Run(context =>
        {
            tokens.Enqueue(context.Request.Query["token"]);
            if (!queue.TryDequeue(out var script))
            {
                context.Response.StatusCode = StatusCodes.Status410Gone; // the test did not expect another connection
                return Task.CompletedTask;
            }

            return script(context);
        });
        await app.StartAsync();
        return new ScriptedServer(app, queue, tokens);
    }

    /// <summary>Adds scripts for the next connections, one each, in order.</summary>
    public void Enqueue(params Func<HttpContext, Task>[] scripts)
    {
        foreach (var script in scripts)
        {
            _scripts.Enqueue(script);
        }
    }

    /// <summary>A script that accepts the upgrade and plays <paramref name="play"/> on the socket.</summary>
    public Func<HttpContext, Task> Socket(Func<ScriptedSocket, Task> play) => async context =>
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var scripted = new ScriptedSocket(socket);
        Sockets.Enqueue(scripted);
        await play(scripted);
    };

    /// <summary>A script that refuses the upgrade with an HTTP status.</summary>
    public static Func<HttpContext, Task> Refuse(int status) => context =>
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>The server's side of one socket.</summary>
    public sealed class ScriptedSocket(WebSocket socket)
    {
        private readonly TaskCompletionSource<WebSocketCloseStatus?> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Text messages the client sent, in order.</summary>
        public ConcurrentQueue<string> Received { get; } = new();

        /// <summary>The close code the client answered the server's close with (null: the connection dropped).</summary>
        public Task<WebSocketCloseStatus?> Answer => _answer.Task;

        public Task SendAsync(string text) =>
            socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

        /// <summary>The client's next text message (also kept in <see cref="Received"/>).</summary>
        public async Task<string> ReceiveTextAsync()
        {
            using var timeout = new CancellationTokenSource(Wait);
            var buffer = new byte[16 * 1024];
            var length = 0;
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    throw new InvalidOperationException($"the client closed ({socket.CloseStatus}) instead of sending");
                }

                length += result.Count;
                if (result.EndOfMessage)
                {
                    var text = Encoding.UTF8.GetString(buffer, 0, length);
                    Received.Enqueue(text);
                    return text;
                }
            }
        }

        /// <summary>Sends an error frame, then closes with <paramref name="code"/> and waits for the client's answer.</summary>
        public async Task CloseAsync(int code, string reason, string? errorCode = null)
        {
            if (errorCode is not null)
            {
                await SendAsync($$"""{"type":"error","code":"{{errorCode}}","message":"scripted {{errorCode}}"}""");
            }

            await socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, CancellationToken.None);
            await AwaitClientCloseAsync();
        }

        /// <summary>Reads (and drops) client messages until the client's close frame; records its code.</summary>
        public async Task AwaitClientCloseAsync()
        {
            using var timeout = new CancellationTokenSource(Wait);
            var buffer = new byte[1024];
            try
            {
                while (true)
                {
                    var result = await socket.ReceiveAsync(buffer.AsMemory(), timeout.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        _answer.TrySetResult(socket.CloseStatus);
                        return;
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                _answer.TrySetResult(null);
            }
        }
    }
}
