using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace ActorQuotes.Gateway.Tests;

public sealed class StreamingTests(StreamingFixture fixture) : IClassFixture<StreamingFixture>
{
    private GatewayHost Host => fixture.Host;

    [Fact(DisplayName = "A burst of 1,000 ticks within one interval yields one frame with the last price")]
    public async Task Conflation()
    {
        var (token, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("burst"));
        var id = await Host.Http.CreateWatchlist(token, "Burst");
        await Host.Http.PutStock(token, id, "8035", 1, 30000);
        using var socket = await Host.Connect($"/api/v1/ws/watchlist/{id}/prices?token={token}&interval_ms=4000");
        var first = (await socket.NextFrame())!;

        await fixture.Ingest(Enumerable.Range(1, 1000).Select(i => ("8035", 32000.0 + i)).ToArray());
        var second = await socket.FrameWhere(f => f.Type() == "price_update"); // heartbeats may come between

        Assert.Equal(1, first.Seq());
        Assert.Equal(33000.0, second["stocks"]![0]!["current_price"]!.GetValue<double>());
    }

    [Fact(DisplayName = "In changes mode the first frame is full and later ones list only what changed, with totals over all")]
    public async Task Changes_mode()
    {
        var (token, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("chg"));
        var id = await Host.Http.CreateWatchlist(token, "Changes");
        await Host.Http.PutStock(token, id, "6501", 10, 4000);
        await Host.Http.PutStock(token, id, "6098", 10, 8000);
        using var socket = await Host.Connect($"/api/v1/ws/watchlist/{id}/prices?token={token}&mode=changes&interval_ms=0");
        var first = (await socket.NextFrame())!;
        var firstSymbols = first["stocks"]!.AsArray().Select(s => s!["ticker_symbol"]!.GetValue<string>()).ToArray();

        await fixture.Ingest(("6098", 8900));
        var moved = await socket.FrameWhere(f => f["stocks"]!.AsArray().Count > 0);

        Assert.Equal(["6501", "6098"], firstSymbols);
        Assert.Equal(["6098"], moved["stocks"]!.AsArray().Select(s => s!["ticker_symbol"]!.GetValue<string>()));
        Assert.Equal(8900.0, moved["stocks"]![0]!["current_price"]!.GetValue<double>());
        var sixFive = first["stocks"]![0]!["current_price"]!.GetValue<double>();
        Assert.Equal((sixFive * 10) + 89000, moved["totals"]!["market_value"]!.GetValue<double>(), 6);
        Assert.Equal(120000.0, moved["totals"]!["cost"]!.GetValue<double>());
    }

    [Fact(DisplayName = "Sequence grows by one per frame with no gaps")]
    public async Task Sequence_continuity()
    {
        var (token, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("seq"));
        var id = await Host.Http.CreateWatchlist(token, "Seq");
        await Host.Http.PutStock(token, id, "4063", 1, 4000);
        using var socket = await Host.Connect($"/api/v1/ws/watchlist/{id}/prices?token={token}&interval_ms=0");
        var sequences = new List<long> { (await socket.NextFrame())!.Seq() };

        for (var i = 1; i <= 5; i++)
        {
            await fixture.Ingest(("4063", 4600 + i));
            sequences.Add((await socket.FrameWhere(f => f["stocks"]![0]!["current_price"]!.GetValue<double>() == 4600 + i)).Seq());
        }

        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
    }

    [Theory(DisplayName = "Bad stream options get a bad_request error frame and close 4400")]
    [InlineData("interval_ms=-1")]
    [InlineData("interval_ms=60001")]
    [InlineData("interval_ms=abc")]
    [InlineData("mode=diff")]
    public async Task Bad_options(string query)
    {
        var (token, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("opt"));
        var id = await Host.Http.CreateWatchlist(token, "Opts");
        using var socket = await Host.Connect($"/api/v1/ws/watchlist/{id}/prices?token={token}&{query}");

        var error = (await socket.NextFrame())!;

        Assert.Equal(("error", "bad_request"), (error.Type(), error["code"]!.GetValue<string>()));
        Assert.Null(await socket.NextFrame());
        Assert.Equal(4400, (int)socket.CloseStatus!);
    }

    [Fact(DisplayName = "The quote stream answers subscribe with the whole set and the current quotes, then streams quotes")]
    public async Task Quote_stream()
    {
        var (token, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("qs"));
        using var socket = await Host.Connect($"/api/v1/ws/quotes?token={token}&interval_ms=0");

        await Send(socket, """{"action":"subscribe","symbols":["7974","aapl"]}""");
        var subscribed = (await socket.NextFrame())!;
        var initial = new[] { (await socket.NextFrame())!, (await socket.NextFrame())! };
        await fixture.Ingest(("7974", 13000));
        var moved = await socket.FrameWhere(f => f.Type() == "quote" && f["price"]!.GetValue<double>() == 13000);
        await Send(socket, """{"action":"unsubscribe","symbols":["AAPL"]}""");
        var after = await socket.FrameWhere(f => f.Type() == "subscribed");

        Assert.Equal(1, subscribed.Seq());
        Assert.Equal(["7974", "AAPL"], subscribed["symbols"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.All(initial, q => Assert.Equal("quote", q.Type()));
        Assert.Equal(["7974", "AAPL"], initial.Select(q => q["ticker_symbol"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal([2L, 3L], initial.Select(q => q.Seq()));
        Assert.Equal(
            ["type", "sequence", "ticker_symbol", "price", "previous_close", "change", "change_percent", "open", "day_high", "day_low", "volume", "timestamp", "quote_sequence"],
            moved.Select(p => p.Key));
        Assert.Equal(["7974"], after["symbols"]!.AsArray().Select(s => s!.GetValue<string>()));
    }

    [Fact(DisplayName = "Subscribe and unsubscribe messages sent in a burst get subscribed replies that may merge: each carries the set after one of the messages, in order, and the last the set after the last message")]
    public async Task Subscribed_replies_merge()
    {
        const int Symbols = 20;
        const int Messages = 400;
        var (token, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("burst"));
        var catalog = (await Host.Http.GetAsync("/api/v1/companies")).ReadJson();
        var symbols = (await catalog).AsArray().Select(c => c!["ticker_symbol"]!.GetValue<string>()).Take(Symbols + 1).ToArray();
        using var socket = await Host.Connect($"/api/v1/ws/quotes?token={token}&interval_ms=0");

        // Message i adds symbols[i % 20] when the set lacks it and removes it otherwise; one last message adds a
        // symbol no earlier set held, so its set is told apart from every earlier one. Nothing is read meanwhile.
        var set = new SortedSet<string>(StringComparer.Ordinal);
        var setsAfter = new List<string>();
        for (var i = 0; i <= Messages; i++)
        {
            var symbol = i == Messages ? symbols[Symbols] : symbols[i % Symbols];
            var action = set.Add(symbol) ? "subscribe" : "unsubscribe";
            if (action == "unsubscribe")
            {
                set.Remove(symbol);
            }

            await Send(socket, $$"""{"action":"{{action}}","symbols":["{{symbol}}"]}""");
            setsAfter.Add(string.Join(",", set));
        }

        var replies = new List<string>();
        while (replies.LastOrDefault() != setsAfter[^1])
        {
            var frame = await socket.FrameWhere(f => f.Type() == "subscribed");
            replies.Add(string.Join(",", frame["symbols"]!.AsArray().Select(s => s!.GetValue<string>()).Order(StringComparer.Ordinal)));
        }

        // After the last message's reply, nothing but quotes until the next heartbeat (1 s of quiet): no stale set.
        var next = await socket.FrameWhere(f => f.Type() is "heartbeat" or "subscribed");

        TestContext.Current.TestOutputHelper?.WriteLine($"{Messages + 1} messages, {replies.Count} subscribed replies");
        Assert.Equal("heartbeat", next.Type());
        Assert.InRange(replies.Count, 1, Messages + 1);
        var matched = 0;
        foreach (var reply in replies)
        {
            while (matched < setsAfter.Count && setsAfter[matched] != reply)
            {
                matched++;
            }

            Assert.True(matched < setsAfter.Count, $"a subscribed frame carried {reply}, not the set after any later message");
            matched++;
        }
    }

    [Theory(DisplayName = "Bad client messages on the quote stream get an error frame and the socket stays open")]
    [InlineData("""{"action":"subscribe","symbols":["NOPE"]}""", "unknown_symbol")]
    [InlineData("""{"action":"dance","symbols":[]}""", "unknown_action")]
    [InlineData("""{"action":"subscribe","symbols":"7203"}""", "bad_request")]
    [InlineData("""not json""", "bad_request")]
    [InlineData("""[1,2]""", "bad_request")]
    [InlineData("OVERSIZED", "message_too_large")]
    public async Task Bad_client_messages(string message, string code)
    {
        var (token, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("badmsg"));
        using var socket = await Host.Connect($"/api/v1/ws/quotes?token={token}");

        await Send(socket, message == "OVERSIZED" ? "{\"action\":\"subscribe\",\"symbols\":[\"" + new string('x', 17 * 1024) + "\"]}" : message);
        var error = await socket.FrameWhere(f => f.Type() == "error");
        await Send(socket, """{"action":"subscribe","symbols":["7203"]}""");
        var stillOpen = await socket.FrameWhere(f => f.Type() == "subscribed" && f["symbols"]!.AsArray().Count == 1);

        Assert.Equal(code, error["code"]!.GetValue<string>());
        Assert.Equal("7203", stillOpen["symbols"]![0]!.GetValue<string>());
    }

    [Fact(DisplayName = "A quiet stream sends a heartbeat with the next sequence")]
    public async Task Heartbeat()
    {
        var (token, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("hb"));
        using var socket = await Host.Connect($"/api/v1/ws/quotes?token={token}");

        var heartbeat = (await socket.NextFrame())!;

        Assert.Equal("heartbeat", heartbeat.Type());
        Assert.Equal(1, heartbeat.Seq());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$", heartbeat["timestamp"]!.GetValue<string>());
    }

    [Fact(DisplayName = "A user past the per-user socket limit is closed with 4429 too_many_sockets")]
    public async Task Socket_limit()
    {
        var (token, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("many"));
        var open = new List<ClientWebSocket>();
        try
        {
            for (var i = 0; i < StreamingFixture.MaxSockets; i++)
            {
                var s = await Host.Connect($"/api/v1/ws/quotes?token={token}");
                Assert.Equal("heartbeat", (await s.NextFrame())!.Type()); // the session is up and counted
                open.Add(s);
            }

            using var extra = await Host.Connect($"/api/v1/ws/quotes?token={token}");
            var error = (await extra.NextFrame())!;

            Assert.Equal("too_many_sockets", error["code"]!.GetValue<string>());
            Assert.Null(await extra.NextFrame());
            Assert.Equal(4429, (int)extra.CloseStatus!);
        }
        finally
        {
            foreach (var s in open)
            {
                s.Dispose();
            }
        }
    }

    [Theory(DisplayName = "Outside Development a browser page opens a stream only from the origin the gateway listens on; foreign and other loopback origins get 403")]
    [InlineData("https://evil.example", HttpStatusCode.Forbidden)]
    [InlineData("http://localhost:5173", HttpStatusCode.Forbidden)]
    [InlineData("http://127.0.0.1:{port}", HttpStatusCode.SwitchingProtocols)]
    [InlineData("http://localhost:{port}", HttpStatusCode.SwitchingProtocols)]
    public async Task Origin_allow_list(string origin, HttpStatusCode expected)
    {
        origin = origin.Replace("{port}", Host.BaseAddress.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

        Assert.Equal(expected, await StreamOriginTests.UpgradeStatus(Host, origin));
    }

    [Fact(DisplayName = "A Host header naming the foreign page's site does not make its origin the gateway's own")]
    public async Task Forged_host_is_not_own_origin()
    {
        Assert.Equal(HttpStatusCode.Forbidden, await StreamOriginTests.UpgradeStatus(Host, "http://evil.example", hostHeader: "evil.example"));
    }

    private static Task Send(ClientWebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
}
