using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using ActorQuotes.Gateway.Tests;
using ActorQuotes.Gateway.Tests.Infrastructure;

namespace ActorQuotes.Cli.Tests;

/// <summary>/metrics on the admin port: strict Prometheus text, and counters that move with traffic.</summary>
[Collection(AdminNodeCollection.Name)]
public sealed class MetricsTests(AdminNodeFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private AdminNode Node => fixture.Node;

    [Fact(DisplayName = "/metrics is strict Prometheus text listing every documented series")]
    public async Task Metrics_parse()
    {
        var families = PrometheusText.Parse(await Scrape());

        Assert.Equal(
            [
                "actorquotes_cluster_members", "actorquotes_cluster_unreachable_members", "actorquotes_entities",
                "actorquotes_frames_sent_total", "actorquotes_journal_write_duration_seconds", "actorquotes_pubsub_publishes_total",
                "actorquotes_shards", "actorquotes_slow_consumer_closes_total", "actorquotes_sockets_open", "actorquotes_stale_quotes_dropped_total", "actorquotes_stream_writes_total",
                "actorquotes_ticks_accepted_total", "actorquotes_ticks_rejected_total", "actorquotes_updates_conflated_total",
            ],
            families.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1, families.Value("actorquotes_cluster_members", ("status", "up")));
        Assert.True(families.Value("actorquotes_entities", ("region", "ticker")) >= 50);
        Assert.Equal(["future_timestamp", "not_finite", "not_positive", "out_of_order", "outside_band", "unknown_symbol"],
            families["actorquotes_ticks_rejected_total"].Samples.Select(s => s.Labels["reason"]));
    }

    [Fact(DisplayName = "Counters move when traffic flows: sockets, frames, stream writes, ticks accepted and rejected, publishes, journal writes")]
    public async Task Counters_move()
    {
        var before = PrometheusText.Parse(await Scrape());

        var (token, _) = await Node.Host.Http.RegisterAndLogin(AdminNodeFixture.NewUsername("metrics")); // journal writes
        using var socket = await Node.Host.Connect("/api/v1/ws/quotes?token=" + token);
        await socket.SendAsync(Encoding.UTF8.GetBytes("""{"action":"subscribe","symbols":["7203","6758"]}"""), WebSocketMessageType.Text, true, CancellationToken.None);
        for (var quotes = 0; quotes < 2;)
        {
            var frame = await socket.ReceiveText(Wait) ?? throw new InvalidOperationException("closed");
            quotes += frame.Contains("\"type\":\"quote\"", StringComparison.Ordinal) ? 1 : 0;
        }

        var ingest = new HttpRequestMessage(HttpMethod.Post, "/api/v1/quotes")
        {
            Content = ApiClient.Json("""[{"ticker_symbol":"6758","price":-1.0},{"ticker_symbol":"NOPE","price":1.0}]"""),
        };
        ingest.Headers.Add("X-Feed-Key", AdminNodeFixture.FeedKey);
        Assert.Equal(HttpStatusCode.OK, (await Node.Host.Http.SendAsync(ingest)).StatusCode);

        var during = PrometheusText.Parse(await Scrape());

        Assert.True(during.Value("actorquotes_sockets_open") >= 1);
        Assert.True(during.Value("actorquotes_frames_sent_total") >= before.Value("actorquotes_frames_sent_total") + 3); // subscribed + 2 quotes
        Assert.True(during.Value("actorquotes_stream_writes_total") >= before.Value("actorquotes_stream_writes_total") + 1); // the batching connection wrote them
        Assert.Equal(before.Value("actorquotes_ticks_rejected_total", ("reason", "not_positive")) + 1,
            during.Value("actorquotes_ticks_rejected_total", ("reason", "not_positive")));
        Assert.Equal(before.Value("actorquotes_ticks_rejected_total", ("reason", "unknown_symbol")) + 1,
            during.Value("actorquotes_ticks_rejected_total", ("reason", "unknown_symbol")));
        Assert.True(during.Value("actorquotes_journal_write_duration_seconds_count") >= before.Value("actorquotes_journal_write_duration_seconds_count") + 1);
        Assert.True(during.Value("actorquotes_journal_write_duration_seconds_sum") > before.Value("actorquotes_journal_write_duration_seconds_sum"));
        await AwaitMoving("actorquotes_ticks_accepted_total", during); // the simulated feed keeps ticking
        await AwaitMoving("actorquotes_pubsub_publishes_total", during, ("topic", "quotes"));
    }

    [Fact(DisplayName = "/metrics wants the admin key too: without it 401 problem details")]
    public async Task Metrics_need_the_key()
    {
        using var http = new HttpClient { BaseAddress = Node.AdminUri };

        var response = await http.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"code\":\"unauthorized\"", await response.Content.ReadAsStringAsync());
    }

    private async Task<string> Scrape()
    {
        using var http = new HttpClient { BaseAddress = Node.AdminUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Node.Key);
        var response = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Scrapes until the series has grown past <paramref name="earlier"/> (bounded; the feed ticks 100 times a second).</summary>
    private async Task AwaitMoving(string name, IReadOnlyDictionary<string, PrometheusText.Family> earlier, params (string, string)[] labels)
    {
        var was = earlier.Value(name, labels);
        Assert.True(await Eventually.TrueWithin(Wait, async () => PrometheusText.Parse(await Scrape()).Value(name, labels) > was),
            $"{name} stayed at {was}");
    }
}
