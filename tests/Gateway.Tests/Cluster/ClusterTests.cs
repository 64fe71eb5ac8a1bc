using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using ActorQuotes.Client;
using ActorQuotes.Gateway.Tests.Infrastructure;

namespace ActorQuotes.Gateway.Tests.Cluster;

/// <summary>
/// The cluster as operators meet it: three real processes, one PostgreSQL, nodes killed with SIGKILL, frozen with
/// SIGSTOP and restarted one by one. Every wait is bounded; the failover times are written to the test output.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(TestCluster cluster, ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>Failure detection (about 5 s) + stable-after (7 s) + removal and recovery, with room for a loaded machine.</summary>
    private static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan FrameWait = TimeSpan.FromSeconds(20);

    public async ValueTask InitializeAsync() => await cluster.EnsureAllRunningAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact(DisplayName = "Three nodes form one cluster: what is written through A is read through C, and a socket on B streams prices from tickers on the quotes nodes")]
    public async Task Three_nodes_serve_as_one()
    {
        foreach (var node in cluster.Nodes)
        {
            Assert.Equal(3, (await node.ReadinessAsync()).MembersUp);
        }

        var username = GatewayFixture.NewUsername("cl1");
        var (token, _) = await cluster.A.RegisterAndLogin(username);
        var id = await cluster.A.CreateWatchlist(token, "Across");
        await cluster.A.PutStock(token, id, "7203", 100, 2500);
        await cluster.A.PutStock(token, id, "AAPL", 3, 199.5);

        var read = await (await cluster.C.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}", token))).ReadJson();
        Assert.Equal(["7203", "AAPL"], Symbols(read));

        // The account registered through A logs in through C, and C's token is good on A.
        var login = await cluster.C.Http.PostAsync("/api/v1/auth/login", ApiClient.Json($$"""{"username":"{{username}}","password":"correct-horse"}"""));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var tokenFromC = (await login.ReadJson())["token"]!.GetValue<string>();
        var viaA = await cluster.A.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}", tokenFromC));
        Assert.Equal(HttpStatusCode.OK, viaA.StatusCode);

        using var socket = await Connect(cluster.B, id, token);
        var prices = await DistinctPrices(socket, "7203", count: 2);
        Assert.Equal(2, prices.Count);

        // B holds no quotes role: the tickers that published those prices live on A and C; A hosts no watchlist.
        Assert.Equal(0, (await cluster.B.ReadinessAsync()).Tickers);
        Assert.True((await cluster.A.ReadinessAsync()).Tickers + (await cluster.C.ReadinessAsync()).Tickers > 0);
        Assert.Equal(0, (await cluster.A.ReadinessAsync()).Watchlists);

        // A gateway-only node joins, hosts no entity of any kind, and serves the same data through its proxies.
        await using var gateway = await cluster.StartExtraNodeAsync("D", "gateway");
        var d = await gateway.ReadinessAsync();
        Assert.Equal((HttpStatusCode.OK, 0, 0, 4), d);
        Assert.Contains("watchlist=0 account=0 id-sequence=0 ticker=0", await gateway.Http.GetStringAsync("/health/ready"), StringComparison.Ordinal);
        Assert.Equal(["7203", "AAPL"], Symbols(await (await gateway.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}", token))).ReadJson()));
        using (var onD = await Connect(gateway, id, token))
        {
            Assert.Single(await DistinctPrices(onD, "AAPL", count: 1));
        }

        // D leaves the way an operator scales in: SIGTERM, hand-off, leave. The cluster is three again.
        await gateway.Process.StopAsync();
        Assert.True(await Eventually.TrueWithin(FailoverBound, async () => (await cluster.B.ReadinessAsync()).MembersUp == 3));
    }

    [Fact(DisplayName = "kill -9 of a node hosting watchlists: a survivor answers with every acknowledged position, other gateways keep streaming, and the killed gateway's .NET client resumes on another node")]
    public async Task Sigkill_fails_over()
    {
        var (token, _) = await cluster.A.RegisterAndLogin(GatewayFixture.NewUsername("cl2"));
        var expected = new Dictionary<long, string[]>();
        for (var i = 0; i < 8; i++)
        {
            var via = cluster.Nodes[i % 3];
            var id = await via.CreateWatchlist(token, $"Kill {i}");
            await via.PutStock(token, id, "7203", 100 + i, 2500);
            await via.PutStock(token, id, "AAPL", 1 + i, 199.5);
            expected[id] = ["7203", "AAPL"];
        }

        // The victim is the watchlists node that hosts more of them (B and C share them through sharding).
        var hosted = new[] { (Node: cluster.B, (await cluster.B.ReadinessAsync()).Watchlists), (Node: cluster.C, (await cluster.C.ReadinessAsync()).Watchlists) };
        var (victim, victimHosts) = hosted.MaxBy(h => h.Watchlists);
        var survivor = victim == cluster.B ? cluster.C : cluster.B;
        Assert.True(victimHosts > 0, $"node {victim.Name} hosts no watchlist");
        output.WriteLine($"killing {victim.Name}, which hosts {victimHosts} of the 8 watchlists");

        var streamed = expected.Keys.First();
        using var survivingSocket = await Connect(cluster.A, streamed, token);
        await DistinctPrices(survivingSocket, "7203", count: 1);
        var aFrames = new ConcurrentQueue<string>();
        var aReader = ReadUntilClosed(survivingSocket, aFrames);

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var client = new ActorQuotesClient(new ActorQuotesClientOptions
        {
            BaseUri = victim.BaseAddress,
            FallbackUris = [cluster.A.BaseAddress, survivor.BaseAddress],
            TokenProvider = _ => ValueTask.FromResult(token),
            InitialBackoff = TimeSpan.FromMilliseconds(200),
            MaxBackoff = TimeSpan.FromSeconds(2),
        });
        await using var events = client.StreamWatchlist(streamed).ReadAllAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        var first = await Next<Connected>(events);
        Assert.Equal(victim.BaseAddress.Port, first.Endpoint.Port);
        await Next<PriceUpdate>(events);

        var clock = Stopwatch.StartNew();
        victim.Process.Kill();
        var framesAtKill = aFrames.Count;

        // Every watchlist answers from a survivor with every acknowledged position.
        foreach (var (id, symbols) in expected)
        {
            var watchlist = await EventuallyRead(cluster.A, id, token, FailoverBound - clock.Elapsed);
            Assert.Equal(symbols, Symbols(watchlist));
            Assert.Equal(199.5, watchlist["stocks"]![1]!["purchase_price"]!.GetValue<double>());
        }

        output.WriteLine($"all 8 watchlists answered through A {clock.Elapsed.TotalSeconds:F1} s after the kill");

        // The killed gateway's client is on another node, streaming the same positions again.
        var resumed = await Next<Connected>(events, FailoverBound);
        Assert.NotEqual(victim.BaseAddress.Port, resumed.Endpoint.Port);
        var update = await Next<PriceUpdate>(events, FailoverBound);
        Assert.Equal(["7203", "AAPL"], update.Stocks.Select(s => s.TickerSymbol));
        output.WriteLine($"the .NET client streamed from {resumed.Endpoint.Authority} {clock.Elapsed.TotalSeconds:F1} s after the kill");

        // The socket on A never closed, and frames kept coming after the kill.
        var more = await Eventually.TrueWithin(FrameWait, () => aFrames.Count > framesAtKill + 2);
        Assert.True(more, $"A's socket got {aFrames.Count - framesAtKill} frames after the kill");
        Assert.False(aReader.IsCompleted, "A's socket closed");

        await victim.StartAsync();
        await cluster.WaitAllReadyAsync();
        output.WriteLine($"{victim.Name} restarted and ready {clock.Elapsed.TotalSeconds:F1} s after the kill");
        await stop.CancelAsync();
    }

    [Fact(DisplayName = "A node frozen with SIGSTOP is downed by the majority and its tickers move; after SIGCONT it shuts itself down, and a restart joins cleanly")]
    public async Task Sigstop_is_downed_and_does_not_come_back_as_a_second_brain()
    {
        var (token, _) = await cluster.B.RegisterAndLogin(GatewayFixture.NewUsername("cl3"));
        var id = await cluster.B.CreateWatchlist(token, "Frozen");
        await cluster.B.PutStock(token, id, "7203", 100, 2500);
        await cluster.B.PutStock(token, id, "AAPL", 3, 199.5);
        using var socket = await Connect(cluster.B, id, token);
        await DistinctPrices(socket, "7203", count: 1);
        var tickersOnA = (await cluster.A.ReadinessAsync()).Tickers;
        output.WriteLine($"freezing A, which hosts {tickersOnA} tickers");

        var clock = Stopwatch.StartNew();
        await cluster.A.Process.FreezeAsync();
        try
        {
            var downed = await Eventually.TrueWithin(FailoverBound, async () => (await cluster.B.ReadinessAsync()) is { Status: HttpStatusCode.OK, MembersUp: 2 });
            Assert.True(downed, "B still counts A as up");
            output.WriteLine($"A was downed {clock.Elapsed.TotalSeconds:F1} s after SIGSTOP");

            // The tickers A hosted now run on C, fed by the simulated feed's singleton: prices move again on B.
            Assert.Equal(2, (await DistinctPrices(socket, "7203", count: 2, FailoverBound)).Count);
            Assert.Equal(2, (await DistinctPrices(socket, "AAPL", count: 2, FailoverBound)).Count);
            output.WriteLine($"prices moved again on B {clock.Elapsed.TotalSeconds:F1} s after SIGSTOP");
            Assert.Equal(["7203", "AAPL"], Symbols(await EventuallyRead(cluster.C, id, token, FailoverBound)));
        }
        finally
        {
            await cluster.A.Process.ThawAsync();
        }

        // Woken up, A finds itself downed (or alone in its minority) and stops, rather than forming a second cluster.
        Assert.True(await cluster.A.Process.WaitForExitAsync(FailoverBound), "A kept running after SIGCONT");
        output.WriteLine($"A exited by itself {clock.Elapsed.TotalSeconds:F1} s after SIGSTOP");

        await cluster.A.StartAsync();
        await cluster.WaitAllReadyAsync();
        Assert.Equal(3, (await cluster.A.ReadinessAsync()).MembersUp);
        await cluster.A.PutStock(token, id, "6758", 10, 3600);
        Assert.Equal(["7203", "AAPL", "6758"], Symbols(await EventuallyRead(cluster.B, id, token, FrameWait)));
        output.WriteLine($"A rejoined and served a write {clock.Elapsed.TotalSeconds:F1} s after SIGSTOP");
    }

    [Fact(DisplayName = "A rolling restart of all three nodes, one at a time, under a stream of position writes loses no acknowledged write")]
    public async Task Rolling_restart_keeps_every_acknowledged_write()
    {
        var (token, _) = await cluster.C.RegisterAndLogin(GatewayFixture.NewUsername("cl4"));
        var id = await cluster.C.CreateWatchlist(token, "Rolling");
        string[] symbols = ["7203", "6758", "9984", "AAPL", "MSFT"];
        var acknowledged = new ConcurrentDictionary<string, int>();
        var attempted = new ConcurrentDictionary<string, ConcurrentBag<int>>();
        var failures = 0;
        using var stopWriting = new CancellationTokenSource();

        var writer = Task.Run(async () =>
        {
            var next = 0;
            for (var k = 1; !stopWriting.IsCancellationRequested; k++)
            {
                var symbol = symbols[k % symbols.Length];
                attempted.GetOrAdd(symbol, _ => []).Add(k);
                for (var attempt = 0; attempt < 30 && !stopWriting.IsCancellationRequested; attempt++)
                {
                    var node = cluster.Nodes[next++ % 3];
                    if (!node.IsRunning)
                    {
                        continue;
                    }

                    try
                    {
                        using var request = ApiClient.Authorized(HttpMethod.Put, $"/api/v1/watchlists/{id}/stocks/{symbol}", token,
                            $$"""{"quantity":{{k}},"purchase_price":100}""");
                        using var response = await node.Http.SendAsync(request, stopWriting.Token);
                        if (response.IsSuccessStatusCode)
                        {
                            acknowledged.AddOrUpdate(symbol, k, (_, old) => Math.Max(old, k));
                            break;
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or ObjectDisposedException or InvalidOperationException)
                    {
                        // that node is going away; the same (idempotent) write goes to the next one
                    }

                    Interlocked.Increment(ref failures);
                }
            }
        });

        var clock = Stopwatch.StartNew();
        var ackedBefore = acknowledged.Values.Sum();
        foreach (var node in cluster.Nodes)
        {
            var started = clock.Elapsed;
            await node.Process.StopAsync();
            var stopped = clock.Elapsed;
            await node.StartAsync();
            await cluster.WaitAllReadyAsync();
            output.WriteLine($"{node.Name}: SIGTERM to exit {(stopped - started).TotalSeconds:F1} s, back and ready after {(clock.Elapsed - stopped).TotalSeconds:F1} s");
        }

        // Let the writer land a few more writes on the whole cluster, then stop it.
        var progressed = await Eventually.TrueWithin(FrameWait, () => acknowledged.Values.Sum() > ackedBefore + 10);
        await stopWriting.CancelAsync();
        await writer;
        Assert.True(progressed);
        output.WriteLine($"{acknowledged.Values.Count} symbols, last acknowledged quantities {string.Join(", ", acknowledged.Select(a => $"{a.Key}={a.Value}"))}; {failures} attempts failed over to another node");

        var final = await EventuallyRead(cluster.A, id, token, FrameWait);
        var stocks = final["stocks"]!.AsArray().ToDictionary(s => s!["ticker_symbol"]!.GetValue<string>(), s => (int)s!["quantity"]!.GetValue<double>());
        foreach (var (symbol, ack) in acknowledged)
        {
            Assert.True(stocks.TryGetValue(symbol, out var quantity), $"{symbol} was acknowledged (quantity {ack}) but is missing");
            // A later write may have landed without its answer reaching the writer; an earlier one must never win.
            Assert.True(quantity >= ack, $"{symbol}: acknowledged {ack}, found {quantity}");
            Assert.Contains(quantity, attempted[symbol]);
        }
    }

    private static string[] Symbols(JsonNode watchlist) =>
        watchlist["stocks"]!.AsArray().Select(s => s!["ticker_symbol"]!.GetValue<string>()).ToArray();

    private static async Task<ClientWebSocket> Connect(ClusterNode node, long id, string token)
    {
        var socket = new ClientWebSocket();
        var uri = new UriBuilder(node.BaseAddress) { Scheme = "ws", Path = $"/api/v1/ws/watchlist/{id}/prices", Query = "token=" + token }.Uri;
        using var timeout = new CancellationTokenSource(FrameWait);
        await socket.ConnectAsync(uri, timeout.Token);
        return socket;
    }

    /// <summary>Reads frames until <paramref name="count"/> different prices of <paramref name="symbol"/> were seen (bounded).</summary>
    private static async Task<HashSet<double>> DistinctPrices(ClientWebSocket socket, string symbol, int count, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? FrameWait);
        var prices = new HashSet<double>();
        while (prices.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero, $"saw {prices.Count} of {count} prices of {symbol} in time");
            var text = await socket.ReceiveText(left) ?? throw new InvalidOperationException($"the socket closed: {socket.CloseStatus} {socket.CloseStatusDescription}");
            var frame = JsonNode.Parse(text)!;
            foreach (var stock in frame["stocks"]?.AsArray() ?? [])
            {
                if (stock!["ticker_symbol"]!.GetValue<string>() == symbol && stock["current_price"] is { } price)
                {
                    prices.Add(price.GetValue<double>());
                }
            }
        }

        return prices;
    }

    private static async Task ReadUntilClosed(ClientWebSocket socket, ConcurrentQueue<string> frames)
    {
        try
        {
            while (await socket.ReceiveText(TimeSpan.FromMinutes(5)) is { } text)
            {
                frames.Enqueue(text);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // the test ends by disposing the socket
        }
    }

    /// <summary>Reads the watchlist through <paramref name="node"/> until it answers 200 (a failover answers 503 for a moment).</summary>
    private static async Task<JsonNode> EventuallyRead(ClusterNode node, long id, string token, TimeSpan within)
    {
        JsonNode? found = null;
        var last = "(none)";
        if (await Eventually.TrueWithin(within, async () =>
            {
                try
                {
                    using var response = await node.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}", token));
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        found = await response.ReadJson();
                        return true;
                    }

                    last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    last = e.Message;
                }

                return false;
            }))
        {
            return found!;
        }

        throw new TimeoutException($"watchlist {id} did not answer through {node.Name} within {within.TotalSeconds:F0} s; last: {last}");
    }

    private static async Task<T> Next<T>(IAsyncEnumerator<StreamEvent> events, TimeSpan? within = null)
        where T : StreamEvent
    {
        var deadline = DateTime.UtcNow + (within ?? FrameWait);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero, $"no {typeof(T).Name} in time");
            Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(left), "the stream ended");
            if (events.Current is T found)
            {
                return found;
            }
        }
    }
}
