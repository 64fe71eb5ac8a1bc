using System.Net.WebSockets;
using System.Text;
using ActorQuotes.Actors.Observability;
using ActorQuotes.Gateway.Streaming;
using ActorQuotes.Gateway.Tests.Infrastructure;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;

namespace ActorQuotes.Gateway.Tests;

/// <summary>
/// Issue 22 item 1: a quote-stream client that subscribes, then floods the server with bad or churning messages and
/// never reads, costs the node a bounded amount and is closed with a documented code. Each variant runs against a
/// real Kestrel and a raw <see cref="ClientWebSocket"/> that reads nothing until the server has given up on it,
/// then reads what reached it to find the close code. Memory is the server's managed heap (this process, after a
/// full collection): the old code grew it by hundreds of MB in seconds (1 socket: 238 MB → 1.3 GB in 22 s). The
/// heap is the test process's, so these run alone (<see cref="HostileSocketCollection"/>): other tests running
/// beside them allocate in the same heap (a full run once added 7 MB to a churn measurement).
/// </summary>
[Collection(HostileSocketCollection.Name)]
public sealed class HostileSocketTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>
    /// What one hostile socket may add to the node's heap while it floods: measured 0.4–1.9 MB when these tests run
    /// alone (docs/protocol.md); the code before issue 22 added 14 MB (one-byte), 7.5 MB (unknown symbols) and 33 MB
    /// (churn) in these same floods before the server gave up on the socket, and grew without bound when the client
    /// kept going. The heap is the whole test process's: in a full run, what earlier tests left running adds noise
    /// (6–7 MB while flooding once on CI, 10 MB after the socket had gone another time), so one bound, for while the
    /// client floods and once its socket has gone, sits between that and the old code; the 4422 close and the server
    /// giving up after a bounded number of messages are asserted on their own. Measured alone, what stays after the
    /// socket has gone is 0.4–1.9 MB (pooled buffers). A measurement free of that noise needs the node in a process
    /// of its own, reporting its heap (issue 25's runtime metrics).
    /// </summary>
    private const long FloodBound = 12L << 20;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private GatewayHost? _host;

    private GatewayHost Host => _host!;

    public async ValueTask InitializeAsync() => _host = await GatewayHost.StartAsync(
        null,
        "--Feeds:Simulated:TicksPerSecond=500",
        "--Feeds:Simulated:Interval=00:00:00.010",
        "--Streaming:SlowConsumerTimeout=00:00:01",
        "--Streaming:SlowConsumerCloseGrace=00:00:30");

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Fact(DisplayName = "A client that floods one-byte invalid messages and never reads is closed 4422 too_many_bad_messages and the node's heap stays bounded")]
    public Task One_byte_invalid_messages() =>
        Flood(
            interval: 250,
            message: _ => "x"u8.ToArray(),
            maxMessages: 300_000,
            closeCode: 4422,
            errorCode: "too_many_bad_messages");

    [Fact(DisplayName = "A client that subscribes 1,500 unknown symbols per message and never reads is closed 4422 and the node's heap stays bounded")]
    public Task Unknown_symbol_subscribes()
    {
        var unknown = Encoding.UTF8.GetBytes("""{"action":"subscribe","symbols":[""" +
            string.Join(",", Enumerable.Range(0, 1500).Select(i => $"\"U{i:0000}\"")) + "]}");
        return Flood(interval: 250, message: _ => unknown, maxMessages: 20_000, closeCode: 4422, errorCode: "too_many_bad_messages");
    }

    [Fact(DisplayName = "A client that churns subscribe and unsubscribe of every symbol and never reads is closed 4408 slow_consumer and the node's heap stays bounded")]
    public async Task Subscription_churn()
    {
        var symbols = string.Join(",", (await Symbols()).Select(s => $"\"{s}\""));
        var subscribe = Encoding.UTF8.GetBytes($$"""{"action":"subscribe","symbols":[{{symbols}}]}""");
        var unsubscribe = Encoding.UTF8.GetBytes($$"""{"action":"unsubscribe","symbols":[{{symbols}}]}""");

        // Another user follows every symbol and reads, as on any busy node: the node's fan-out keeps each symbol's
        // quote, so every resubscribe is answered at once with a quote per symbol (about 12 KB per cycle).
        var (token, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("reader"));
        using var reader = await Host.Connect($"/api/v1/ws/quotes?token={token}");
        await Send(reader, subscribe);
        using var stop = new CancellationTokenSource();
        var reading = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            while (!stop.IsCancellationRequested && (await reader.ReceiveAsync(buffer, stop.Token)).MessageType != WebSocketMessageType.Close)
            {
            }
        });

        try
        {
            await Flood(interval: 0, message: i => i % 2 == 0 ? unsubscribe : subscribe, maxMessages: 40_000, closeCode: 4408, errorCode: "slow_consumer",
                otherSockets: 1);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAny(reading);
        }
    }

    /// <summary>
    /// Subscribes every symbol, then sends <paramref name="message"/>s without reading, in batches, until the server
    /// has decided to close (the session stopped, or a slow-consumer close was counted) or <paramref name="maxMessages"/>
    /// are sent; then measures the heap, reads to the close, and measures again once the server has let the socket go.
    /// </summary>
    private async Task Flood(int interval, Func<int, byte[]> message, int maxMessages, int closeCode, string errorCode, int otherSockets = 0)
    {
        var sessions = Host.Services.GetRequiredService<LiveSessions>();
        var metrics = NodeMetrics.Get(Host.Services.GetRequiredService<ActorSystem>());
        var (token, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("hostile"));
        var symbols = string.Join(",", (await Symbols()).Select(s => $"\"{s}\""));
        var slowBefore = SlowConsumerCloses(metrics);
        var baseline = Heap();
        var baselineInfo = Generations();

        using var socket = await Host.Connect($"/api/v1/ws/quotes?token={token}&interval_ms={interval}");
        await Send(socket, Encoding.UTF8.GetBytes($$"""{"action":"subscribe","symbols":[{{symbols}}]}"""));
        Assert.True(await Eventually.TrueWithin(Wait, () => sessions.Count == otherSockets + 1), "the session did not open");
        var stopped = sessions.All.MaxBy(s => long.Parse(s.Id, System.Globalization.CultureInfo.InvariantCulture))!.Session.WatchAsync();
        bool GaveUp() => stopped.IsCompleted || SlowConsumerCloses(metrics) > slowBefore;

        // Checked every 64 KB or so: once the server stops taking messages, that much still fits in TCP's buffers.
        var batch = Math.Clamp((64 * 1024) / message(0).Length, 1, 100);
        var sent = 0;
        using (var deadline = new CancellationTokenSource(Wait))
        {
            while (sent < maxMessages && !GaveUp())
            {
                for (var i = 0; i < batch && sent < maxMessages; i++, sent++)
                {
                    await socket.SendAsync(message(sent), WebSocketMessageType.Text, true, deadline.Token);
                }
            }
        }

        var flooded = Heap();
        var floodedInfo = Generations();
        string? lastError = null;
        while (await socket.ReceiveText(FrameReading.Wait) is { } text)
        {
            if (text.Contains("\"type\":\"error\"", StringComparison.Ordinal))
            {
                lastError = text;
            }
        }

        Assert.True(await Eventually.TrueWithin(Wait, () => sessions.Count == otherSockets), "the server kept the socket");
        var after = Heap();
        output.WriteLine($"{sent} messages sent; heap {baseline >> 10} KB before, +{(flooded - baseline) >> 10} KB while flooding, " +
                         $"+{(after - baseline) >> 10} KB after the socket went; close {(int?)socket.CloseStatus}");

        Assert.True(GaveUp(), $"the server was still taking messages after {sent}");
        Assert.True(flooded - baseline < FloodBound, $"the heap grew by {(flooded - baseline) >> 20} MB for one socket ({sent} messages); by generation, KB: {baselineInfo} before, {floodedInfo} while flooding");
        Assert.Equal(closeCode, (int?)socket.CloseStatus);
        Assert.Contains($"\"code\":\"{errorCode}\"", lastError);
        Assert.True(after - baseline < FloodBound,
            $"the heap stayed {(after - baseline) >> 20} MB above its baseline after the socket went; by generation, KB: {baselineInfo} before, {Generations()} after");
    }

    private async Task<string[]> Symbols() =>
        (await (await Host.Http.GetAsync("/api/v1/companies")).ReadJson()).AsArray()
            .Select(c => c!["ticker_symbol"]!.GetValue<string>()).ToArray();

    private static long SlowConsumerCloses(NodeMetrics metrics) =>
        metrics.Snapshot().Counters.Single(c => c.Name == "actorquotes.slow_consumer.closes").Values.Sum(v => v.Value);

    private static Task Send(ClientWebSocket socket, byte[] bytes) =>
        socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Gen0, gen1, gen2, large and pinned object heaps after the last collection, in KB: says where a failing growth was.</summary>
    private static string Generations() =>
        string.Join("/", GC.GetGCMemoryInfo(GCKind.FullBlocking).GenerationInfo.ToArray().Select(g => g.SizeAfterBytes >> 10));

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostileSocketCollection
{
    public const string Name = "hostile sockets, measured on the test process's heap";
}
