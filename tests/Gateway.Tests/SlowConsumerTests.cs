using System.Net.WebSockets;

namespace ActorQuotes.Gateway.Tests;

public sealed class SlowConsumerTests
{
    [Fact(DisplayName = "A client that stops reading is closed with 4408 while another client on the same data keeps its pace")]
    public async Task Stalled_client_is_closed_others_keep_pace()
    {
        await using var host = await GatewayHost.StartAsync(
            null,
            "--Feeds:Simulated:TicksPerSecond=3000",
            "--Feeds:Simulated:Interval=00:00:00.005",
            "--Streaming:SlowConsumerTimeout=00:00:01",
            "--Streaming:SlowConsumerCloseGrace=00:01:00");
        var (token, _) = await host.Http.RegisterAndLogin("slow_reader");
        var id = await host.Http.CreateWatchlist(token, "Firehose");
        var symbols = (await (await host.Http.GetAsync("/api/v1/companies")).ReadJson()).AsArray()
            .Select(c => c!["ticker_symbol"]!.GetValue<string>()).ToArray();
        foreach (var symbol in symbols)
        {
            await host.Http.PutStock(token, id, symbol, 1000, 1);
        }

        // Every frame lists all ~50 stocks (≈ 13 KB) and goes as soon as the socket takes it.
        var path = $"/api/v1/ws/watchlist/{id}/prices?token={token}&interval_ms=0";
        using var stalled = await host.Connect(path);
        using var reader = await host.Connect(path);
        Assert.NotNull(await stalled.NextFrame());

        // The stalled client now reads nothing; the other one keeps reading. Its frames are the clock:
        // 4,000 frames of ~13 KB (50 MB, several seconds) fill every buffer between the server and the
        // stalled client (about 10 MB on loopback) and then outlast the 1 s slow-consumer timeout.
        long last = 0;
        for (var i = 0; i < 4000; i++)
        {
            var frame = (await reader.NextFrame())!;
            Assert.True(frame.Seq() == last + 1 || last == 0, $"gap after {last}");
            last = frame.Seq();
        }

        // Reading again, the stalled client drains what was buffered and then finds the 4408 close.
        string? error = null;
        while (await stalled.ReceiveText(FrameReading.Wait) is { } text)
        {
            if (text.Contains("\"type\":\"error\"", StringComparison.Ordinal))
            {
                error = text;
            }
        }

        Assert.Equal(4408, (int)stalled.CloseStatus!);
        Assert.Contains("\"code\":\"slow_consumer\"", error);
        Assert.Equal(WebSocketState.Open, reader.State);
    }
}
