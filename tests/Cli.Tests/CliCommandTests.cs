using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using ActorQuotes.Gateway.Tests;
using ActorQuotes.Gateway.Tests.Infrastructure;

namespace ActorQuotes.Cli.Tests;

/// <summary>Every aq command against a real node: what it prints for people, its --json shape, its exit code.</summary>
[Collection(AdminNodeCollection.Name)]
public sealed class CliCommandTests(AdminNodeFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private AdminNode Node => fixture.Node;

    private string Self => Node.Host.Services.GetService(typeof(Akka.Actor.ActorSystem)) is Akka.Actor.ActorSystem system
        ? Akka.Cluster.Cluster.Get(system).SelfAddress.ToString()
        : throw new InvalidOperationException("no actor system");

    [Fact(DisplayName = "cluster show lists this node, up and the leader, as a table and as JSON")]
    public async Task Cluster_show()
    {
        var table = await Aq.Run(Node, "cluster", "show");
        var json = await Aq.Run(Node, "cluster", "show", "--json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("ADDRESS", table.Out);
        Assert.Contains($"{Self}  up", table.Out);
        Assert.Contains($"Leader: {Self}", table.Out);
        Assert.Equal(0, json.ExitCode);
        Assert.Equal(Self, json.Json["self"]!.GetValue<string>());
        Assert.Equal(Self, json.Json["leader"]!.GetValue<string>());
        var member = Assert.Single(json.Json["members"]!.AsArray())!;
        Assert.Equal(
            $$"""{"address":"{{Self}}","status":"up","roles":["gateway","quotes","watchlists"],"reachable":true,"is_self":true}""",
            member.ToJsonString());
        Assert.Empty(json.Json["unreachable"]!.AsArray());
    }

    [Fact(DisplayName = "cluster join of a member is accepted; down with a malformed address is refused with bad_address and exit 1")]
    public async Task Cluster_membership_commands()
    {
        var join = await Aq.Run(Node, "cluster", "join", Self, "--json");
        var bad = await Aq.Run(Node, "cluster", "down", "not-an-address");
        var missing = await Aq.Run(Node, "cluster", "leave");
        var unreachable = await Aq.Run(Node, "cluster", "down-unreachable", "--json");

        Assert.True(join.ExitCode == 0, join.ToString());
        Assert.Equal($$"""{"command":"join","addresses":["{{Self}}"]}""", join.Out.Trim());
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("[bad_address]", bad.Error);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("Usage: aq cluster leave <address>", missing.Error);
        Assert.Equal(0, unreachable.ExitCode);
        Assert.Equal("""{"command":"down-unreachable","addresses":[]}""", unreachable.Out.Trim());
    }

    [Fact(DisplayName = "cluster tail prints the current members as events and ends cleanly on Ctrl+C")]
    public async Task Cluster_tail()
    {
        using var ctrlC = new CancellationTokenSource();
        var output = new WatchingWriter("\"type\":\"member_up\"");
        var run = Aq.RunRaw(["--node", Node.Admin, "--key", Node.Key, "cluster", "tail", "--json"], cancel: ctrlC.Token, output: output);

        await output.Seen.WaitAsync(Wait);
        await ctrlC.CancelAsync();
        var result = await run;

        Assert.True(result.ExitCode == 0, result.ToString());
        var first = JsonNode.Parse(result.Out.Split('\n')[0])!;
        Assert.Equal(("member_up", Self, "up"), (first["type"]!.GetValue<string>(), first["address"]!.GetValue<string>(), first["status"]!.GetValue<string>()));
    }

    [Fact(DisplayName = "cluster-sharding regions, region-stats and shard-stats report the ticker region's 50 entities on this one node")]
    public async Task Sharding_commands()
    {
        var regions = await Aq.Run(Node, "cluster-sharding", "regions", "--json");
        var stats = await Aq.Run(Node, "cluster-sharding", "region-stats", "-r", "ticker", "--json");
        var shards = await Aq.Run(Node, "cluster-sharding", "shard-stats", "-r", "ticker", "--json");
        var table = await Aq.Run(Node, "cluster-sharding", "region-stats", "-r", "ticker");

        Assert.True(regions.ExitCode == 0, regions.ToString());
        Assert.Equal(["account", "id-sequence", "ticker", "watchlist"],
            regions.Json["regions"]!.AsArray().Select(r => r!["type_name"]!.GetValue<string>()));
        var node = Assert.Single(stats.Json["nodes"]!.AsArray())!;
        Assert.Equal(Self, node["address"]!.GetValue<string>());
        Assert.True(node["entities"]!.GetValue<int>() >= 50, stats.Out); // the simulated feed wakes every catalog ticker (an unknown symbol asked for adds one)
        var shardRows = shards.Json["shards"]!.AsArray();
        Assert.Equal(node["shards"]!.GetValue<int>(), shardRows.Count);
        Assert.Equal(node["entities"]!.GetValue<int>(), shardRows.Sum(s => s!["entities"]!.GetValue<int>()));
        Assert.All(shardRows, s => Assert.Equal(Self, s!["address"]!.GetValue<string>()));
        Assert.Contains("SHARDS", table.Out);
        Assert.Contains(Self, table.Out);
    }

    [Fact(DisplayName = "cluster-sharding commands refuse an unknown region (exit 1) and a missing -r (exit 2 with the usage)")]
    public async Task Sharding_errors()
    {
        var unknown = await Aq.Run(Node, "cluster-sharding", "shard-stats", "-r", "nope");
        var missing = await Aq.Run(Node, "cluster-sharding", "region-stats");

        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("[unknown_region]", unknown.Error);
        Assert.Contains("account, id-sequence, ticker, watchlist", unknown.Error);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("Usage: aq cluster-sharding region-stats -r <type>", missing.Error);
    }

    [Fact(DisplayName = "cluster-sharding locate names the shard and node of one entity")]
    public async Task Sharding_locate()
    {
        var located = await Aq.Run(Node, "cluster-sharding", "locate", "-r", "ticker", "-e", "AAPL", "--json");

        Assert.True(located.ExitCode == 0, located.ToString());
        Assert.Equal(("ticker", "AAPL", Self, true),
            (located.Json["type_name"]!.GetValue<string>(), located.Json["entity_id"]!.GetValue<string>(),
                located.Json["node"]!.GetValue<string>(), located.Json["alive"]!.GetValue<bool>()));
    }

    [Fact(DisplayName = "actor hierarchy shows the feed under /user and the regions under /system/sharding")]
    public async Task Actor_hierarchy()
    {
        var user = await Aq.Run(Node, "actor", "hierarchy");
        var sharding = await Aq.Run(Node, "actor", "hierarchy", "-s", "/system/sharding", "-d", "1", "--json");
        var missing = await Aq.Run(Node, "actor", "hierarchy", "-s", "/user/nobody-here");
        var badDepth = await Aq.Run(Node, "actor", "hierarchy", "-d", "eleven");

        Assert.True(user.ExitCode == 0, user.ToString());
        Assert.Contains("\n  simulated-feed\n", user.Out);
        var paths = sharding.Json["actors"]!.AsArray().Select(a => a!["path"]!.GetValue<string>()).ToArray();
        Assert.All(["/system/sharding/account", "/system/sharding/id-sequence", "/system/sharding/ticker", "/system/sharding/watchlist"],
            region => Assert.Contains(region, paths));
        Assert.Equal(paths.Order(StringComparer.Ordinal), paths);
        Assert.All(sharding.Json["actors"]!.AsArray(), a => Assert.Equal(1, a!["level"]!.GetValue<int>()));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("[actor_not_found]", missing.Error);
        Assert.Equal(2, badDepth.ExitCode);
    }

    [Fact(DisplayName = "ticker show gives the quote, the rejected ticks by reason and the subscribers on this node")]
    public async Task Ticker_show()
    {
        var before = await Aq.Run(Node, "ticker", "show", "AAPL", "--json");
        await Ingest("""[{"ticker_symbol":"AAPL","price":-5.0}]""");
        var (token, _) = await Node.Host.Http.RegisterAndLogin(AdminNodeFixture.NewUsername("ticker"));
        using var socket = await Node.Host.Connect("/api/v1/ws/quotes?token=" + token);
        await Send(socket, """{"action":"subscribe","symbols":["AAPL"]}""");
        await ReceiveUntil(socket, "\"type\":\"quote\"");

        var after = await Aq.Run(Node, "ticker", "show", "aapl", "--json");
        var table = await Aq.Run(Node, "ticker", "show", "AAPL");
        var unknown = await Aq.Run(Node, "ticker", "show", "NOPE");

        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Equal("AAPL", after.Json["symbol"]!.GetValue<string>());
        Assert.Equal(before.Json["rejected"]!["not_positive"]!.GetValue<long>() + 1, after.Json["rejected"]!["not_positive"]!.GetValue<long>());
        Assert.Equal(1, after.Json["subscribers_on_this_node"]!.GetValue<int>());
        Assert.Equal(Self, after.Json["node"]!.GetValue<string>());
        Assert.True(after.Json["sequence"]!.GetValue<long>() >= before.Json["sequence"]!.GetValue<long>());
        Assert.Contains("ticks rejected not_finite=", table.Out);
        Assert.Contains("subscribers on this node 1", table.Out);
        Assert.Equal(("not_positive", -5.0), (after.Json["last_rejected"]!["reason"]!.GetValue<string>(), after.Json["last_rejected"]!["price"]!.GetValue<double>()));
        Assert.Contains("last rejected: not_positive, price -5", table.Out);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("[unknown_symbol]", unknown.Error);
    }

    [Fact(DisplayName = "ticker stats lists every catalog symbol with its counters")]
    public async Task Ticker_stats()
    {
        var stats = await Aq.Run(Node, "ticker", "stats", "--json");
        var table = await Aq.Run(Node, "ticker", "stats");

        Assert.True(stats.ExitCode == 0, stats.ToString());
        Assert.True(stats.Json["tickers"]!.AsArray().Count == 50, stats.Out);
        Assert.Equal(0, stats.Json["unanswered"]!.GetValue<int>());
        Assert.Contains("7203", table.Out);
        Assert.Contains("Total: ", table.Out);
    }

    [Fact(DisplayName = "feed pause stops the simulated feed's ticks, resume starts them again; the replay feed is not running")]
    public async Task Feed_commands()
    {
        var paused = await Aq.Run(Node, "feed", "pause", "simulated", "--json");
        var whilePaused = await Aq.Run(Node, "feed", "status", "--json");
        var stillPaused = await Aq.Run(Node, "feed", "status", "simulated", "--json");
        var resumed = await Aq.Run(Node, "feed", "resume", "--json");
        var replay = await Aq.Run(Node, "feed", "pause", "replay");
        var unknown = await Aq.Run(Node, "feed", "pause", "nope");
        var table = await Aq.Run(Node, "feed", "status");

        Assert.True(paused.ExitCode == 0, paused.ToString());
        var pausedRow = Assert.Single(paused.Json["feeds"]!.AsArray())!;
        Assert.True(pausedRow["paused"]!.GetValue<bool>());
        var sentAtPause = pausedRow["ticks_sent"]!.GetValue<long>();
        Assert.Equal(
            $$"""{"feeds":[{"feed":"simulated","running":true,"paused":true,"ticks_sent":{{sentAtPause}}},{"feed":"replay","running":false,"paused":false,"ticks_sent":0}]}""",
            whilePaused.Out.Trim());
        Assert.Equal(whilePaused.Out, stillPaused.Out);
        Assert.False(resumed.Json["feeds"]![0]!["paused"]!.GetValue<bool>());
        Assert.Equal(1, replay.ExitCode);
        Assert.Contains("[feed_not_running]", replay.Error);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("[unknown_feed]", unknown.Error);
        Assert.Contains("simulated  running", table.Out);
        Assert.Contains("replay     not running", table.Out);
    }

    [Fact(DisplayName = "sessions list shows a watchlist socket with its user and frames; sessions kick closes it with 1008")]
    public async Task Sessions_list_and_kick()
    {
        var username = AdminNodeFixture.NewUsername("kick");
        var (token, _) = await Node.Host.Http.RegisterAndLogin(username);
        var watchlist = await Node.Host.Http.CreateWatchlist(token, "Ops");
        await Node.Host.Http.PutStock(token, watchlist, "7203", 10, 2500);
        using var socket = await Node.Host.Connect($"/api/v1/ws/watchlist/{watchlist}/prices?token={token}");
        await ReceiveUntil(socket, "\"type\":\"price_update\"");

        var list = await Aq.Run(Node, "sessions", "list", "--json");
        var table = await Aq.Run(Node, "sessions", "list");
        var session = list.Json["sessions"]!.AsArray().Single(s => s!["username"]!.GetValue<string>() == username)!;
        var id = session["id"]!.GetValue<string>();
        var kick = await Aq.Run(Node, "sessions", "kick", id, "--json");
        var closed = await ReceiveClose(socket);
        var again = await Aq.Run(Node, "sessions", "kick", "999999");

        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal(("watchlist", watchlist), (session["stream"]!.GetValue<string>(), session["watchlist_id"]!.GetValue<long>()));
        Assert.Equal(["7203"], session["symbols"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.True(session["frames_sent"]!.GetValue<long>() >= 1);
        Assert.True(session["conflated"]!.GetValue<long>() >= 0);
        Assert.Contains($"watchlist {watchlist}", table.Out);
        Assert.Equal($$"""{"id":"{{id}}","close_code":1008}""", kick.Out.Trim());
        Assert.Equal((WebSocketCloseStatus)1008, closed);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("[session_not_found]", again.Error);
    }

    [Fact(DisplayName = "A quote that replaces an unsent one is counted as conflated: three ticks inside one interval, the feed paused, fold two")]
    public async Task Sessions_count_conflation()
    {
        var username = AdminNodeFixture.NewUsername("conflate");
        var (token, _) = await Node.Host.Http.RegisterAndLogin(username);
        Assert.Equal(0, (await Aq.Run(Node, "feed", "pause", "simulated")).ExitCode);
        try
        {
            using var socket = await Node.Host.Connect("/api/v1/ws/quotes?interval_ms=60000&token=" + token);
            await Send(socket, """{"action":"subscribe","symbols":["9984"]}""");
            await ReceiveUntil(socket, "\"type\":\"quote\""); // the first quote goes at once; the next wait for the interval
            var price = (await Aq.Run(Node, "ticker", "show", "9984", "--json")).Json["price"]!.GetValue<double>();
            var before = PrometheusText.Parse(await Aq.Run(Node, "metrics").ContinueWith(t => t.Result.Out, TaskScheduler.Default));
            foreach (var step in new[] { 1, 2, 3 })
            {
                await Ingest($$"""[{"ticker_symbol":"9984","price":{{(price + step).ToString(System.Globalization.CultureInfo.InvariantCulture)}}}]""");
            }

            // An ingest is answered once the ticker has the tick; its way on to the session (pub-sub, the node's
            // fan-out) is asynchronous, so the count is read until the third quote has arrived.
            JsonNode? session = null;
            Assert.True(await Eventually.TrueWithin(TimeSpan.FromSeconds(20), async () =>
            {
                var list = await Aq.Run(Node, "sessions", "list", "--json");
                session = list.Json["sessions"]!.AsArray().Single(s => s!["username"]!.GetValue<string>() == username)!;
                return session["conflated"]!.GetValue<long>() >= 2;
            }), session?.ToJsonString());
            Assert.NotNull(session);
            var after = PrometheusText.Parse((await Aq.Run(Node, "metrics")).Out);

            Assert.Equal(("quotes", 2L), (session["stream"]!.GetValue<string>(), session["conflated"]!.GetValue<long>()));
            Assert.Equal(2, session["frames_sent"]!.GetValue<long>()); // subscribed, first quote
            Assert.Equal(["9984"], session["symbols"]!.AsArray().Select(x => x!.GetValue<string>()));
            Assert.Equal(before.Value("actorquotes_updates_conflated_total") + 2, after.Value("actorquotes_updates_conflated_total"));
        }
        finally
        {
            Assert.Equal(0, (await Aq.Run(Node, "feed", "resume", "simulated")).ExitCode);
        }
    }

    [Fact(DisplayName = "watchlist show gives the state and last events from the journal and the node holding the entity")]
    public async Task Watchlist_show()
    {
        var (token, userId) = await Node.Host.Http.RegisterAndLogin(AdminNodeFixture.NewUsername("wl"));
        var watchlist = await Node.Host.Http.CreateWatchlist(token, "Core");
        await Node.Host.Http.PutStock(token, watchlist, "7203", 100, 2500);
        await Node.Host.Http.PutStock(token, watchlist, "AAPL", 3, 199.5);

        var json = await Aq.Run(Node, "watchlist", "show", watchlist.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        var table = await Aq.Run(Node, "watchlist", "show", watchlist.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var missing = await Aq.Run(Node, "watchlist", "show", "987654321");
        var notNumber = await Aq.Run(Node, "watchlist", "show", "abc");

        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Equal(("Core", userId, false), (json.Json["name"]!.GetValue<string>(), json.Json["owner_id"]!.GetValue<long>(), json.Json["deleted"]!.GetValue<bool>()));
        Assert.Equal("""[{"ticker_symbol":"7203","quantity":100,"purchase_price":2500},{"ticker_symbol":"AAPL","quantity":3,"purchase_price":199.5}]""",
            json.Json["stocks"]!.ToJsonString());
        Assert.Equal(["created", "stock_added", "stock_added"], json.Json["last_events"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()));
        Assert.Equal((Self, true), (json.Json["location"]!["node"]!.GetValue<string>(), json.Json["location"]!["alive"]!.GetValue<bool>()));
        Assert.Contains("stock_added", table.Out);
        Assert.Contains("AAPL", table.Out);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("[watchlist_not_found]", missing.Error);
        Assert.Equal(2, notNumber.ExitCode);
    }

    [Fact(DisplayName = "A wrong or missing key is refused with exit 3 and nothing is printed on stdout")]
    public async Task Wrong_key_refused()
    {
        var wrong = await Aq.RunRaw(["--node", Node.Admin, "--key", "not-the-key", "cluster", "show"]);
        var missing = await Aq.RunRaw(["--node", Node.Admin, "cluster", "show"]);

        Assert.Equal((3, string.Empty), (wrong.ExitCode, wrong.Out));
        Assert.Contains("refused the admin key", wrong.Error);
        Assert.Equal((3, string.Empty), (missing.ExitCode, missing.Out));
        Assert.Contains("AQ_ADMIN_KEY", missing.Error);
    }

    [Fact(DisplayName = "An unknown command is answered with the help and exit 2; help itself exits 0")]
    public async Task Unknown_command()
    {
        var unknown = await Aq.Run(Node, "clutser", "show");
        var unknownInGroup = await Aq.Run(Node, "cluster", "explode");
        var unknownOption = await Aq.Run(Node, "ticker", "stats", "-x", "1");
        var help = await Aq.RunRaw(["--help"]);

        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("error: unknown command 'clutser'", unknown.Error);
        Assert.Contains("Usage: aq [--node host:port]", unknown.Error);
        Assert.Equal(2, unknownInGroup.ExitCode);
        Assert.Contains("Usage: aq cluster show", unknownInGroup.Error);
        Assert.Equal(2, unknownOption.ExitCode);
        Assert.Equal(0, help.ExitCode);
        Assert.All(new[] { "cluster show", "cluster-sharding region-stats -r <type>", "actor hierarchy", "ticker show <symbol>", "feed pause [feed]", "sessions kick <id>", "watchlist show <id>" },
            usage => Assert.Contains(usage, help.Out));
    }

    [Fact(DisplayName = "A node that cannot be reached is a failure (exit 1) that names the address")]
    public async Task Unreachable_node()
    {
        var result = await Aq.RunRaw(["--node", "127.0.0.1:1", "--key", "k", "cluster", "show"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot reach the admin endpoint at http://127.0.0.1:1/", result.Error);
    }

    [Fact(DisplayName = "With no command aq prompts: each line runs as a command, errors do not end the session, exit leaves")]
    public async Task Interactive_prompt()
    {
        var result = await Aq.RunRaw(["--node", Node.Admin, "--key", Node.Key], input: "cluster show\nbogus\nhistory\nfeed status --json\nexit\n");

        Assert.Equal(0, result.ExitCode); // the last command's
        Assert.Contains($"aq {Node.Admin}> cluster show", result.Out);
        Assert.Contains($"{Self}  up", result.Out);
        Assert.Contains("error: unknown command 'bogus'", result.Error);
        Assert.Contains("   2  bogus", result.Out);
        Assert.Contains("{\"feeds\":[{\"feed\":\"simulated\"", result.Out);
    }

    private Task Ingest(string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/quotes") { Content = ApiClient.Json(json) };
        request.Headers.Add("X-Feed-Key", AdminNodeFixture.FeedKey);
        return Node.Host.Http.SendAsync(request).ContinueWith(t => Assert.Equal(System.Net.HttpStatusCode.OK, t.Result.StatusCode), TaskScheduler.Default);
    }

    private static Task Send(ClientWebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task ReceiveUntil(ClientWebSocket socket, string marker)
    {
        using var deadline = new CancellationTokenSource(Wait);
        while (true)
        {
            var text = await socket.ReceiveText(Wait) ?? throw new InvalidOperationException("closed before " + marker);
            if (text.Contains(marker, StringComparison.Ordinal))
            {
                return;
            }

            deadline.Token.ThrowIfCancellationRequested();
        }
    }

    private static async Task<WebSocketCloseStatus?> ReceiveClose(ClientWebSocket socket)
    {
        while (await socket.ReceiveText(Wait) is not null)
        {
        }

        return socket.CloseStatus;
    }
}
