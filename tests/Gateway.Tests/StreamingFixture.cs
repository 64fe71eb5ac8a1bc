using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ActorQuotes.Gateway.Tests;

/// <summary>
/// A gateway whose prices move only when a test ingests ticks (simulator off), with short heartbeat
/// and a low per-user socket limit so those rules can be seen quickly.
/// </summary>
public sealed class StreamingFixture : IAsyncLifetime
{
    public const string FeedKey = "streaming-test-key";
    public const int MaxSockets = 3;

    private GatewayHost? _host;

    public GatewayHost Host => _host ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync() => _host = await GatewayHost.StartAsync(
        null,
        "--Feeds:Simulated:Enabled=false",
        "--Feeds:Ingest:ApiKeys:0=" + FeedKey,
        "--Streaming:HeartbeatAfter=00:00:01",
        "--Streaming:MaxSocketsPerUser=" + MaxSockets,
        "--Tickers:MaxJumpPercent=50");

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    /// <summary>Ingests ticks through the feed API; returns when every ticker has answered.</summary>
    public async Task Ingest(params (string Symbol, double Price)[] ticks)
    {
        var now = DateTimeOffset.UtcNow;
        var body = JsonSerializer.Serialize(ticks.Select((t, i) => new Dictionary<string, object>
        {
            ["ticker_symbol"] = t.Symbol,
            ["price"] = t.Price,
            ["volume"] = 100,
            ["timestamp"] = now.AddTicks(i).ToString("O"),
        }));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/quotes") { Content = ApiClient.Json(body) };
        request.Headers.Add("X-Feed-Key", FeedKey);
        var response = await Host.Http.SendAsync(request);
        var result = await response.ReadJson();
        Assert.True(response.IsSuccessStatusCode, result.ToJsonString());
        Assert.Equal(0, result["rejected"]!.GetValue<int>());
    }
}

public static class FrameReading
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>The next frame as JSON (null when the server closed), with a bounded wait.</summary>
    public static async Task<JsonObject?> NextFrame(this ClientWebSocket socket) =>
        await socket.ReceiveText(Wait) is { } text ? JsonNode.Parse(text)!.AsObject() : null;

    /// <summary>Reads frames until one matches; fails after the bounded wait.</summary>
    public static async Task<JsonObject> FrameWhere(this ClientWebSocket socket, Func<JsonObject, bool> match)
    {
        using var deadline = new CancellationTokenSource(Wait);
        while (true)
        {
            deadline.Token.ThrowIfCancellationRequested();
            var frame = await socket.NextFrame() ?? throw new InvalidOperationException($"closed ({socket.CloseStatus}) before the frame came");
            if (match(frame))
            {
                return frame;
            }
        }
    }

    public static string Type(this JsonObject frame) => frame["type"]!.GetValue<string>();

    public static long Seq(this JsonObject frame) => frame["sequence"]!.GetValue<long>();
}
