using System.Text.Json.Nodes;
using ActorQuotes.Gateway.Tests;
using ActorQuotes.Gateway.Tests.Infrastructure;

namespace ActorQuotes.Cli.Tests;

/// <summary>Issue 22 item 2: one bad tick cannot freeze a symbol, and an operator can unfreeze one.</summary>
public sealed class TickerResetTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    // The simulator ticks 7203 only, so other symbols move only when a test ingests a tick.
    private static readonly string[] NodeArgs =
    [
        "--Admin:Key=" + AdminNodeFixture.Key, "--Admin:Port=0", "--Feeds:Ingest:ApiKeys:0=" + AdminNodeFixture.FeedKey,
        "--Feeds:Simulated:Symbols:0=7203", "--Feeds:Simulated:TicksPerSecond=50",
    ];

    [Fact(DisplayName = "A far-future ingested tick is rejected future_timestamp and the simulator's ticks are still accepted, also after a restart")]
    public async Task Far_future_tick_does_not_freeze_the_symbol()
    {
        var data = Path.Combine(Path.GetTempPath(), "aq-future-" + Guid.NewGuid().ToString("N"));
        var args = NodeArgs;
        try
        {
            long sequenceBefore;
            await using (var first = await GatewayHost.StartAsync(data, args))
            {
                var node = AdminNode.Of(first, AdminNodeFixture.Key);
                var answer = await Ingest(first, """[{"ticker_symbol":"7203","price":2600.0,"timestamp":"9999-12-31T23:59:59Z"}]""");
                var rejected = await Show(node);

                Assert.Equal("future_timestamp", answer["results"]![0]!["reason"]!.GetValue<string>());
                Assert.Equal(1, rejected["rejected"]!["future_timestamp"]!.GetValue<long>());
                Assert.Equal("future_timestamp", rejected["last_rejected"]!["reason"]!.GetValue<string>());
                var accepted = rejected["accepted"]!.GetValue<long>();
                JsonNode later = rejected;
                Assert.True(await Eventually.TrueWithin(Wait, async () => (later = await Show(node))["accepted"]!.GetValue<long>() > accepted + 5),
                    later.ToJsonString());
                Assert.Equal(0, later["rejected"]!["out_of_order"]!.GetValue<long>());
                sequenceBefore = later["sequence"]!.GetValue<long>();
                await first.StopAsync();
            }

            await using var second = await GatewayHost.StartAsync(data, args);
            var again = AdminNode.Of(second, AdminNodeFixture.Key);
            JsonNode restarted = new JsonObject();
            Assert.True(await Eventually.TrueWithin(Wait, async () => (restarted = await Show(again))["accepted"]!.GetValue<long>() > 5),
                restarted.ToJsonString());
            Assert.Equal(0, restarted["rejected"]!["out_of_order"]!.GetValue<long>());
            Assert.True(restarted["sequence"]!.GetValue<long>() > sequenceBefore);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // left for the OS to clean up with the temp folder
            }
        }
    }

    [Fact(DisplayName = "aq ticker reset unfreezes a symbol: back at its previous close with the next sequence, then ticks are accepted again")]
    public async Task Ticker_reset_end_to_end()
    {
        await using var host = await GatewayHost.StartAsync(null, NodeArgs);
        var node = AdminNode.Of(host, AdminNodeFixture.Key);
        // Frozen the only way still open: a tick just inside the bound (4 minutes ahead); until then every tick is out of order.
        var ahead = DateTimeOffset.UtcNow.AddMinutes(4).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var frozen = await Ingest(node.Host, $$"""[{"ticker_symbol":"6954","price":4400.0,"timestamp":"{{ahead}}"},{"ticker_symbol":"6954","price":4401.0}]""");
        Assert.Equal(["accepted", "rejected"], frozen["results"]!.AsArray().Select(r => r!["status"]!.GetValue<string>()));
        Assert.Equal("out_of_order", frozen["results"]![1]!["reason"]!.GetValue<string>());
        var before = await Show(node, "6954");

        var table = await Aq.Run(node, "ticker", "reset", "6954");
        var json = await Aq.Run(node, "ticker", "reset", "6954", "--json");
        var unknown = await Aq.Run(node, "ticker", "reset", "NOPE");
        var after = await Ingest(node.Host, """[{"ticker_symbol":"6954","price":4402.0}]""");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("6954  price 4500", table.Out);
        Assert.True(json.ExitCode == 0, json.ToString());
        var reset = json.Json;
        Assert.Equal((4500.0, 4500.0, 0L), (reset["price"]!.GetValue<double>(), reset["previous_close"]!.GetValue<double>(), reset["volume"]!.GetValue<long>()));
        Assert.True(reset["sequence"]!.GetValue<long>() > before["sequence"]!.GetValue<long>());
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("[unknown_symbol]", unknown.Error);
        Assert.Equal("accepted", after["results"]![0]!["status"]!.GetValue<string>());
    }

    private static async Task<JsonNode> Show(AdminNode node, string symbol = "7203")
    {
        var result = await Aq.Run(node, "ticker", "show", symbol, "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Json;
    }

    private static async Task<JsonNode> Ingest(GatewayHost host, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/quotes") { Content = ApiClient.Json(json) };
        request.Headers.Add("X-Feed-Key", AdminNodeFixture.FeedKey);
        var response = await host.Http.SendAsync(request);
        var body = await response.ReadJson();
        Assert.True(response.IsSuccessStatusCode, body.ToJsonString());
        return body;
    }
}
