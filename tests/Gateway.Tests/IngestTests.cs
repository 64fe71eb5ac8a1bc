using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using ActorQuotes.Contracts.Tickers;
using ActorQuotes.Gateway.Hosting;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;

namespace ActorQuotes.Gateway.Tests;

/// <summary>A gateway with one feed key and no simulator, so only the tests move prices.</summary>
public sealed class IngestFixture : IAsyncLifetime
{
    public const string FeedKey = "test-feed-key";

    private GatewayHost? _host;

    public GatewayHost Host => _host ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync() =>
        _host = await GatewayHost.StartAsync(null, "--Feeds:Ingest:ApiKeys:0=" + FeedKey, "--Feeds:Simulated:Enabled=false");

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}

public sealed class IngestTests(IngestFixture fixture) : IClassFixture<IngestFixture>
{
    private static readonly TimeSpan FrameWait = TimeSpan.FromSeconds(20);

    private GatewayHost Host => fixture.Host;

    [Theory(DisplayName = "A missing or wrong feed key, or a user token instead of one, is 401 unauthorized and the quote stays as it was")]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("wrong-feed-key", false)]
    [InlineData("test-feed-keyX", false)]
    [InlineData(null, true)]
    public async Task Wrong_key_is_401(string? feedKey, bool withUserToken)
    {
        var before = await CurrentQuote("6758");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/quotes")
        {
            Content = ApiClient.Json($$"""[{"ticker_symbol":"6758","price":{{Price(before.Price + 1)}},"volume":100}]"""),
        };
        if (feedKey is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Feed-Key", feedKey);
        }

        if (withUserToken)
        {
            var (token, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("feeder"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var response = await Host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("unauthorized", (await response.ReadJson())["code"]!.GetValue<string>());
        var after = await CurrentQuote("6758");
        Assert.Equal((before.Price, before.Sequence), (after.Price, after.Sequence));
    }

    [Fact(DisplayName = "With no feed key configured every ingest call is 401, whatever key it brings")]
    public async Task No_configured_key_is_401()
    {
        await using var host = await GatewayHost.StartAsync(null, "--Feeds:Simulated:Enabled=false");
        var request = FeedRequest("""[{"ticker_symbol":"7203","price":2601.0}]""");

        var response = await host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("unauthorized", (await response.ReadJson())["code"]!.GetValue<string>());
        var quote = await host.Services.GetRequiredService<ActorQuotesRegions>().Tickers.Ask<Quote>(new GetQuote("7203"), TimeSpan.FromSeconds(5));
        Assert.Equal((2600.0, 0L), (quote.Price, quote.Sequence));
    }

    [Fact(DisplayName = "With Feeds:Ingest:Enabled=false neither ingest route exists")]
    public async Task Disabled_ingest_has_no_routes()
    {
        await using var host = await GatewayHost.StartAsync(null,
            "--Feeds:Ingest:Enabled=false", "--Feeds:Ingest:ApiKeys:0=" + IngestFixture.FeedKey, "--Feeds:Simulated:Enabled=false");

        var post = await host.Http.SendAsync(FeedRequest("""[{"ticker_symbol":"7203","price":2601.0}]"""));
        var socket = await host.Http.GetAsync("/api/v1/ws/feed?key=" + IngestFixture.FeedKey);

        // 405 while GET /api/v1/quotes (quotes for users) shares the path, 404 without it: never handled.
        Assert.Contains(post.StatusCode, new[] { HttpStatusCode.MethodNotAllowed, HttpStatusCode.NotFound });
        Assert.Equal(HttpStatusCode.NotFound, socket.StatusCode);
    }

    [Fact(DisplayName = "A batch that is not application/json is 415 unsupported_media_type")]
    public async Task Not_json_is_415()
    {
        var request = FeedRequest("[]");
        request.Content = new StringContent("""[{"ticker_symbol":"7203","price":2601.0}]""", Encoding.UTF8, "text/plain");

        var response = await Host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("unsupported_media_type", (await response.ReadJson())["code"]!.GetValue<string>());
    }

    [Fact(DisplayName = "A batch mixing good and bad ticks is answered tick by tick, and the good ones become the current quotes")]
    public async Task Mixed_batch_answers_per_tick()
    {
        var toyota = await CurrentQuote("7203");
        var apple = await CurrentQuote("AAPL");
        var t = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeMilliseconds());
        var body = $$"""
            [
              {"ticker_symbol":"7203","price":2650.0,"volume":100,"timestamp":"{{Iso(t.AddSeconds(1))}}"},
              {"ticker_symbol":"NOPE","price":10.0,"volume":1},
              {"ticker_symbol":"7203","price":-5.0,"timestamp":"{{Iso(t.AddSeconds(2))}}"},
              {"ticker_symbol":"7203","price":2651.0,"timestamp":"{{Iso(t)}}"},
              {"ticker_symbol":"7203","price":3975.0,"timestamp":"{{Iso(t.AddSeconds(3))}}"},
              {"ticker_symbol":"aapl","price":271.25,"volume":10}
            ]
            """;

        var response = await Host.Http.SendAsync(FeedRequest(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.ReadJson();
        Assert.Equal(2, answer["accepted"]!.GetValue<int>());
        Assert.Equal(4, answer["rejected"]!.GetValue<int>());
        Assert.Equal(
            [
                $$"""{"index":0,"ticker_symbol":"7203","status":"accepted","sequence":{{toyota.Sequence + 1}}}""",
                """{"index":1,"ticker_symbol":"NOPE","status":"rejected","reason":"unknown_symbol"}""",
                """{"index":2,"ticker_symbol":"7203","status":"rejected","reason":"not_positive"}""",
                """{"index":3,"ticker_symbol":"7203","status":"rejected","reason":"out_of_order"}""",
                """{"index":4,"ticker_symbol":"7203","status":"rejected","reason":"outside_band"}""",
                $$"""{"index":5,"ticker_symbol":"AAPL","status":"accepted","sequence":{{apple.Sequence + 1}}}""",
            ],
            answer["results"]!.AsArray().Select(r => r!.ToJsonString()));

        var toyotaNow = await CurrentQuote("7203");
        Assert.Equal((2650.0, toyota.Sequence + 1, t.AddSeconds(1)), (toyotaNow.Price, toyotaNow.Sequence, toyotaNow.Timestamp));
        Assert.Equal(100, toyotaNow.Volume);
        var appleNow = await CurrentQuote("AAPL");
        Assert.Equal((271.25, apple.Sequence + 1), (appleNow.Price, appleNow.Sequence));
    }

    [Fact(DisplayName = "More than 1,000 ticks in one batch is 400 validation_failed and none of them is sent")]
    public async Task Over_1000_is_400()
    {
        var before = await CurrentQuote("8306");
        var body = Batch(Enumerable.Range(0, 1001).Select(i => ("8306", before.Price + 1, DateTimeOffset.UtcNow.AddSeconds(1).AddMilliseconds(i))));

        var response = await Host.Http.SendAsync(FeedRequest(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJson();
        Assert.Equal("validation_failed", problem["code"]!.GetValue<string>());
        Assert.Equal("at most 1000 ticks per batch, got 1001", problem["errors"]!["$"]![0]!.GetValue<string>());
        Assert.Equal(before.Sequence, (await CurrentQuote("8306")).Sequence);
    }

    [Theory(DisplayName = "A tick with a missing field or a value of the wrong type fails the whole batch with 400 before anything is sent")]
    [InlineData("""{"ticker_symbol":"8035","price":"32001"}""", "bad_request", null)]
    [InlineData("""{"ticker_symbol":8035,"price":32001.0}""", "bad_request", null)]
    [InlineData("""{"ticker_symbol":"8035","price":32001.0,"timestamp":12}""", "bad_request", null)]
    [InlineData("""{"ticker_symbol":"8035","price":NaN}""", "bad_request", null)]
    [InlineData("""[1]""", "bad_request", null)]
    [InlineData("""{"ticker_symbol":"8035"}""", "validation_failed", "$[1].price")]
    [InlineData("""{"price":32001.0}""", "validation_failed", "$[1].ticker_symbol")]
    [InlineData("""{"ticker_symbol":"8035","price":32001.0,"volume":-1}""", "validation_failed", "$[1].volume")]
    [InlineData("""{"ticker_symbol":"8035","price":32001.0,"timestamp":"2026-11-29T01:00:00"}""", "validation_failed", "$[1].timestamp")]
    public async Task Bad_tick_fails_batch(string badTick, string code, string? field)
    {
        var before = await CurrentQuote("8035");
        var body = $$"""[{"ticker_symbol":"8035","price":{{Price(before.Price + 1)}}},{{badTick}}]""";

        var response = await Host.Http.SendAsync(FeedRequest(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJson();
        Assert.Equal(code, problem["code"]!.GetValue<string>());
        if (field is not null)
        {
            Assert.NotNull(problem["errors"]![field]);
        }

        Assert.Equal(before.Sequence, (await CurrentQuote("8035")).Sequence);
    }

    [Fact(DisplayName = "A 1,000-tick batch of about 100 KB is accepted: the route's body limit is 1 MiB, not the API's 64 KiB")]
    public async Task Thousand_tick_batch_is_accepted()
    {
        string[] symbols = ["6861", "9983", "7974", "6367"];
        var start = new Dictionary<string, double>();
        foreach (var symbol in symbols)
        {
            start[symbol] = (await CurrentQuote(symbol)).Price;
        }

        var t = DateTimeOffset.UtcNow.AddSeconds(1);
        var body = Batch(Enumerable.Range(0, 1000).Select(i =>
        {
            var symbol = symbols[i % symbols.Length];
            return (symbol, start[symbol] + (i / symbols.Length % 10), t.AddMilliseconds(i));
        }));
        Assert.InRange(Encoding.UTF8.GetByteCount(body), 80 * 1024, 1 << 20);

        var response = await Host.Http.SendAsync(FeedRequest(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.ReadJson();
        Assert.Equal(1000, answer["accepted"]!.GetValue<int>());
        Assert.Equal(0, answer["rejected"]!.GetValue<int>());
        Assert.Equal(Enumerable.Range(0, 1000), answer["results"]!.AsArray().Select(r => r!["index"]!.GetValue<int>()));
        Assert.Equal(start["6367"] + 9, (await CurrentQuote("6367")).Price);
    }

    [Fact(DisplayName = "A batch over 1 MiB is refused with 413 payload_too_large")]
    public async Task Over_one_mebibyte_is_413()
    {
        var padding = new string(' ', (1 << 20) + 1024);
        // Expect: 100-continue, so the client waits for the server's verdict instead of racing it with a body the
        // server will not read (without it, the 413 and the server's close could meet a body still being sent: a broken pipe).
        var request = FeedRequest("[" + padding + "]");
        request.Headers.ExpectContinue = true;
        var response = await Host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("payload_too_large", (await response.ReadJson())["code"]!.GetValue<string>());
    }

    [Fact(DisplayName = "The feed socket acks each message, reports bad ticks by index, answers a malformed message with an error frame and keeps working")]
    public async Task Feed_socket_acks()
    {
        var before = await CurrentQuote("4063");
        using var socket = await ConnectFeed(header: IngestFixture.FeedKey);

        await Send(socket, $$"""{"ticker_symbol":"4063","price":{{Price(before.Price + 1)}},"volume":200}""");
        Assert.Equal("""{"type":"ack","accepted":1,"rejected":[]}""", await socket.ReceiveText(FrameWait));

        await Send(socket, $$"""
            [{"ticker_symbol":"4063","price":{{Price(before.Price + 2)}}},
             {"ticker_symbol":"NOPE","price":1.0},
             {"ticker_symbol":"4063","price":0.0},
             {"ticker_symbol":"4063","price":{{Price(before.Price + 3)}}}]
            """);
        Assert.Equal(
            """{"type":"ack","accepted":2,"rejected":[{"index":1,"reason":"unknown_symbol"},{"index":2,"reason":"not_positive"}]}""",
            await socket.ReceiveText(FrameWait));

        foreach (var malformed in new[] { "not json", """{"ticker_symbol":"4063","price":"1"}""", """[{"ticker_symbol":"4063"}]""", "42" })
        {
            await Send(socket, malformed);
            var error = JsonNode.Parse((await socket.ReceiveText(FrameWait))!)!;
            Assert.Equal("error", error["type"]!.GetValue<string>());
            Assert.Equal("bad_request", error["code"]!.GetValue<string>());
            Assert.False(string.IsNullOrEmpty(error["message"]!.GetValue<string>()));
        }

        await Send(socket, $$"""[{"ticker_symbol":"4063","price":{{Price(before.Price + 4)}}}]""");
        Assert.Equal("""{"type":"ack","accepted":1,"rejected":[]}""", await socket.ReceiveText(FrameWait));
        Assert.Equal(WebSocketState.Open, socket.State);
        var after = await CurrentQuote("4063");
        Assert.Equal((before.Price + 4, before.Sequence + 4), (after.Price, after.Sequence));
    }

    [Fact(DisplayName = "The feed socket takes the key from ?key= as well")]
    public async Task Feed_socket_key_in_query()
    {
        using var socket = await Host.Connect("/api/v1/ws/feed?key=" + IngestFixture.FeedKey);

        await Send(socket, """[{"ticker_symbol":"ZZZZ","price":1.0}]""");

        Assert.Equal("""{"type":"ack","accepted":0,"rejected":[{"index":0,"reason":"unknown_symbol"}]}""", await socket.ReceiveText(FrameWait));
    }

    [Theory(DisplayName = "A feed socket without the right key gets an unauthorized error frame, then close 4401")]
    [InlineData("", null)]
    [InlineData("?key=", null)]
    [InlineData("?key=wrong-feed-key", null)]
    [InlineData("", "wrong-feed-key")]
    public async Task Feed_socket_wrong_key_closes_4401(string query, string? header)
    {
        using var socket = await ConnectFeed(header, query);

        var frame = JsonNode.Parse((await socket.ReceiveText(FrameWait))!)!;
        Assert.Equal("error", frame["type"]!.GetValue<string>());
        Assert.Equal("unauthorized", frame["code"]!.GetValue<string>());
        Assert.Null(await socket.ReceiveText(FrameWait));
        Assert.Equal(4401, (int)socket.CloseStatus!);
    }

    [Fact(DisplayName = "A feed message over 256 KiB gets a payload_too_large error frame, then close 1009")]
    public async Task Feed_message_too_big_closes_1009()
    {
        using var socket = await ConnectFeed(header: IngestFixture.FeedKey);

        await Send(socket, "[" + new string(' ', 300 * 1024) + "]");

        var frame = JsonNode.Parse((await socket.ReceiveText(FrameWait))!)!;
        Assert.Equal("payload_too_large", frame["code"]!.GetValue<string>());
        Assert.Null(await socket.ReceiveText(FrameWait));
        Assert.Equal(1009, (int)socket.CloseStatus!);
    }

    [Fact(DisplayName = "A watchlist stream shows an ingested price in its next frames")]
    public async Task Ingested_price_reaches_watchlist_stream()
    {
        var (token, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("ingestwatch"));
        var id = await Host.Http.CreateWatchlist(token, "Ingested");
        await Host.Http.PutStock(token, id, "6501", 10, 4000);
        using var stream = await Host.Connect($"/api/v1/ws/watchlist/{id}/prices?token={token}");
        var first = JsonNode.Parse((await stream.ReceiveText(FrameWait))!)!;
        var price = first["stocks"]![0]!["current_price"]!.GetValue<double>() + 7;

        var response = await Host.Http.SendAsync(FeedRequest($$"""[{"ticker_symbol":"6501","price":{{Price(price)}}}]"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await response.ReadJson())["accepted"]!.GetValue<int>());

        // A frame already on its way when the tick landed may still show the old price; the one after cannot.
        var seen = new List<double>();
        for (var i = 0; i < 2 && !seen.Contains(price); i++)
        {
            var frame = JsonNode.Parse((await stream.ReceiveText(FrameWait))!)!;
            seen.Add(frame["stocks"]![0]!["current_price"]!.GetValue<double>());
        }

        Assert.Contains(price, seen);
    }

    [Fact(DisplayName = "A tick dated 9999-12-31 is rejected future_timestamp through the REST batch and the feed socket, and the symbol keeps taking ticks")]
    public async Task Far_future_tick_is_rejected_on_both_paths()
    {
        var before = await CurrentQuote("4063");
        var now = DateTimeOffset.UtcNow;

        var rest = await (await Host.Http.SendAsync(FeedRequest(
            $$"""[{"ticker_symbol":"4063","price":{{Price(before.Price + 1)}},"timestamp":"9999-12-31T23:59:59Z"},{"ticker_symbol":"4063","price":{{Price(before.Price + 2)}},"timestamp":"{{Iso(now)}}"}]"""))).ReadJson();
        using var socket = await ConnectFeed(header: IngestFixture.FeedKey);
        await Send(socket, $$"""[{"ticker_symbol":"4063","price":{{Price(before.Price + 3)}},"timestamp":"9999-12-31T23:59:59Z"},{"ticker_symbol":"4063","price":{{Price(before.Price + 4)}},"timestamp":"{{Iso(now.AddMilliseconds(1))}}"}]""");
        var ack = await socket.ReceiveText(FrameWait);
        var after = await CurrentQuote("4063");

        Assert.Equal(
            [
                """{"index":0,"ticker_symbol":"4063","status":"rejected","reason":"future_timestamp"}""",
                $$"""{"index":1,"ticker_symbol":"4063","status":"accepted","sequence":{{before.Sequence + 1}}}""",
            ],
            rest["results"]!.AsArray().Select(r => r!.ToJsonString()));
        Assert.Equal("""{"type":"ack","accepted":1,"rejected":[{"index":0,"reason":"future_timestamp"}]}""", ack);
        Assert.Equal((before.Price + 4, before.Sequence + 2), (after.Price, after.Sequence));
    }

    [Fact(DisplayName = "Stopping the node closes an open feed socket with 1012")]
    public async Task Feed_socket_closed_on_shutdown()
    {
        await using var host = await GatewayHost.StartAsync(null, "--Feeds:Ingest:ApiKeys:0=" + IngestFixture.FeedKey, "--Feeds:Simulated:Enabled=false");
        // A ticker dates its reference quote at its own start; wake it first, so a tick stamped "now" is not older.
        await host.Services.GetRequiredService<ActorQuotesRegions>().Tickers.Ask<Quote>(new GetQuote("7203"), TimeSpan.FromSeconds(5));
        using var socket = await host.Connect("/api/v1/ws/feed?key=" + IngestFixture.FeedKey);
        await Send(socket, """[{"ticker_symbol":"7203","price":2601.0}]""");
        Assert.Equal("""{"type":"ack","accepted":1,"rejected":[]}""", await socket.ReceiveText(FrameWait));

        var stopping = host.StopAsync();

        Assert.Null(await socket.ReceiveText(FrameWait));
        Assert.Equal(1012, (int)socket.CloseStatus!);
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static HttpRequestMessage FeedRequest(string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/quotes") { Content = ApiClient.Json(json) };
        request.Headers.Add("X-Feed-Key", IngestFixture.FeedKey);
        return request;
    }

    private static string Batch(IEnumerable<(string Symbol, double Price, DateTimeOffset Timestamp)> ticks) =>
        "[" + string.Join(",", ticks.Select(t =>
            $$"""{"ticker_symbol":"{{t.Symbol}}","price":{{Price(t.Price)}},"volume":100,"timestamp":"{{Iso(t.Timestamp)}}"}""")) + "]";

    private static string Price(double price) => price.ToString("0.0##", CultureInfo.InvariantCulture);

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    [Fact(DisplayName = "The journal and the snapshot store run on the persistence dispatcher's own threads, not on the .NET thread pool that Kestrel sends from")]
    public async Task Persistence_plugins_have_their_own_threads()
    {
        var system = Host.Services.GetRequiredService<ActorSystem>();
        var persistence = Akka.Persistence.Persistence.Instance.Apply(system);

        foreach (var plugin in new[] { persistence.SnapshotStoreFor(null), persistence.JournalFor(null) })
        {
            // A plugin just created is still an unstarted cell; once it has answered a message it runs on its own.
            await plugin.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(10));
            var cell = (ActorCell)((ActorRefWithCell)plugin).Underlying;
            Assert.Equal("actorquotes.persistence-dispatcher", cell.Dispatcher.Id);
        }
    }

    private Task<Quote> CurrentQuote(string symbol) =>
        Host.Services.GetRequiredService<ActorQuotesRegions>().Tickers.Ask<Quote>(new GetQuote(symbol), TimeSpan.FromSeconds(5));

    private async Task<ClientWebSocket> ConnectFeed(string? header, string query = "")
    {
        var socket = new ClientWebSocket();
        if (header is not null)
        {
            socket.Options.SetRequestHeader("X-Feed-Key", header);
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await socket.ConnectAsync(Host.WebSocketUri("/api/v1/ws/feed" + query), cts.Token);
        return socket;
    }

    private static async Task Send(ClientWebSocket socket, string text)
    {
        using var cts = new CancellationTokenSource(FrameWait);
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cts.Token);
    }
}
