using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using ActorQuotes.Gateway.Tests.Infrastructure;

namespace ActorQuotes.Gateway.Tests.Cluster;

/// <summary>
/// Quotes across a crash of the quotes node that runs the simulated feed: the feed singleton moves to the
/// other quotes node, the tickers the dead node hosted recover there, and a socket on a node that stays up
/// sees every symbol's quote_sequence go only forward. The times are written to the test output
/// (docs/operations.md quotes them).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TickerFailoverTests(TestCluster cluster, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan FrameWait = TimeSpan.FromSeconds(20);

    public async ValueTask InitializeAsync() => await cluster.EnsureAllRunningAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact(DisplayName = "quote_sequence never decreases on a socket across a ticker failover, and prices resume once the feed and the tickers have moved")]
    public async Task Quote_sequence_never_decreases_across_failover()
    {
        // The victim is the quotes node running the simulated feed (the oldest quotes node: A, or C after A restarted).
        var victim = await RunsFeed(cluster.A) ? cluster.A : cluster.C;
        var other = victim == cluster.A ? cluster.C : cluster.A;
        Assert.True(await RunsFeed(victim), "neither quotes node runs the simulated feed");
        Assert.False(await RunsFeed(other), "both quotes nodes run the simulated feed");

        using var admin = Admin(cluster.B);
        var symbols = (await GetJson(admin, "/admin/v1/tickers"))["tickers"]!.AsArray().Select(t => t!["symbol"]!.GetValue<string>()).ToArray();
        var onVictim = new List<string>();
        foreach (var symbol in symbols)
        {
            if ((await GetJson(admin, "/admin/v1/tickers/" + symbol))["node"]!.GetValue<string>() == victim.AkkaAddress)
            {
                onVictim.Add(symbol);
            }
        }

        Assert.NotEmpty(onVictim);
        output.WriteLine($"{victim.Name} runs the feed and hosts {onVictim.Count} of {symbols.Length} tickers; the socket is on B");

        var (token, _) = await cluster.B.RegisterAndLogin(GatewayFixture.NewUsername("tk1"));
        using var socket = new ClientWebSocket();
        using (var connect = new CancellationTokenSource(FrameWait))
        {
            await socket.ConnectAsync(new UriBuilder(cluster.B.BaseAddress) { Scheme = "ws", Path = "/api/v1/ws/quotes", Query = "token=" + token }.Uri, connect.Token);
        }

        var subscribe = new JsonObject { ["action"] = "subscribe", ["symbols"] = new JsonArray(symbols.Select(s => (JsonNode)s).ToArray()) };
        await socket.SendAsync(Encoding.UTF8.GetBytes(subscribe.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        var quotes = new ConcurrentQueue<SeenQuote>();
        var clock = Stopwatch.StartNew();
        var reader = Read(socket, quotes, clock);

        // Quotes of the victim's tickers flow before the kill.
        Assert.True(await Eventually.TrueWithin(FrameWait, () => onVictim.All(s => quotes.Any(q => q.Symbol == s)) && quotes.Count > 100),
            $"only {quotes.Count} quotes before the kill");
        // Counted from here: when the node starts following a symbol, the current quote it asks for can overtake
        // a publish still on its way, which the fan-out then drops as stale.
        var staleBefore = await StaleDropped(admin);
        var killedAfter = clock.Elapsed;
        victim.Process.Kill(); // returns once the process is gone: a tick stamped later comes from the moved feed
        var killedAt = DateTimeOffset.UtcNow;
        var lastBefore = onVictim.ToDictionary(s => s, s => quotes.Where(q => q.Symbol == s).Max(q => q.Sequence));

        // Prices move again on B: first a tick the feed stamped after the kill (the singleton runs again on the
        // other quotes node), then every ticker the victim hosted publishes again from there.
        bool Resumed(string s) => quotes.Any(q => q.Symbol == s && q.Timestamp > killedAt);
        Assert.True(await Eventually.TrueWithin(FailoverBound, () => quotes.Any(q => q.Timestamp > killedAt)), "no tick after the kill reached the socket");
        var feedBack = quotes.Where(q => q.Timestamp > killedAt).Min(q => q.ReceivedAfter) - killedAfter;
        Assert.True(await Eventually.TrueWithin(FailoverBound, () => onVictim.All(Resumed)),
            "never resumed: " + string.Join(",", onVictim.Where(s => !Resumed(s))));
        var tickersBack = onVictim.Max(s => quotes.Where(q => q.Symbol == s && q.Timestamp > killedAt).Min(q => q.ReceivedAfter)) - killedAfter;
        output.WriteLine($"after kill -9 of {victim.Name}: first tick of the moved feed on B's socket at +{feedBack.TotalSeconds:F1} s; " +
                         $"every ticker {victim.Name} hosted publishing again at +{tickersBack.TotalSeconds:F1} s");

        // Per symbol, each quote on the socket numbers above the one before it; the moved tickers jumped forward.
        var seen = quotes.ToArray();
        foreach (var bySymbol in seen.GroupBy(q => q.Symbol))
        {
            var sequence = bySymbol.ToArray();
            for (var i = 1; i < sequence.Length; i++)
            {
                Assert.True(sequence[i].Sequence > sequence[i - 1].Sequence,
                    $"{bySymbol.Key}: {sequence[i]} after {sequence[i - 1]}; all: {string.Join(" ", sequence.Select(q => $"{q.Sequence}@{q.FrameSequence}"))}");
            }
        }

        foreach (var symbol in onVictim)
        {
            var firstAfter = seen.First(q => q.Symbol == symbol && q.Timestamp > killedAt).Sequence;
            Assert.True(firstAfter > lastBefore[symbol], $"{symbol}: {firstAfter} after {lastBefore[symbol]}");
        }

        output.WriteLine($"{seen.Length} quotes; forward jumps at failover: " +
                         string.Join(", ", onVictim.Select(s => $"{s} {lastBefore[s]}->{seen.First(q => q.Symbol == s && q.Timestamp > killedAt).Sequence}")));

        // The tickers themselves went only forward: B's guard had nothing stale to drop.
        Assert.Equal(staleBefore, await StaleDropped(admin));
        Assert.False(reader.IsCompleted, "B's socket closed");

        await victim.StartAsync();
        await cluster.WaitAllReadyAsync();
        output.WriteLine($"{victim.Name} restarted and ready {(clock.Elapsed - killedAfter).TotalSeconds:F1} s after the kill");
    }

    private async Task<bool> RunsFeed(ClusterNode node)
    {
        using var admin = Admin(node);
        using var response = await admin.GetAsync("/admin/v1/actors?path=/user/simulated-feed&depth=1");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }

        var tree = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return tree["actors"]!.AsArray().Any(a => a!["path"]!.GetValue<string>().EndsWith("/user/simulated-feed/simulated-feed", StringComparison.Ordinal));
    }

    private static HttpClient Admin(ClusterNode node)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{node.AdminPort}"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Admin-Key", TestCluster.AdminKey);
        return http;
    }

    private static async Task<JsonNode> GetJson(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    private static async Task<long> StaleDropped(HttpClient admin)
    {
        var text = await admin.GetStringAsync("/metrics");
        var line = text.Split('\n').Single(l => l.StartsWith("actorquotes_stale_quotes_dropped_total ", StringComparison.Ordinal));
        return long.Parse(line["actorquotes_stale_quotes_dropped_total ".Length..].Trim(), CultureInfo.InvariantCulture);
    }

    private static async Task Read(ClientWebSocket socket, ConcurrentQueue<SeenQuote> quotes, Stopwatch clock)
    {
        try
        {
            while (await socket.ReceiveText(TimeSpan.FromMinutes(3)) is { } text)
            {
                var frame = JsonNode.Parse(text)!;
                if (frame["type"]!.GetValue<string>() == "quote")
                {
                    quotes.Enqueue(new SeenQuote(
                        frame["ticker_symbol"]!.GetValue<string>(),
                        frame["quote_sequence"]!.GetValue<long>(),
                        frame["sequence"]!.GetValue<long>(),
                        DateTimeOffset.Parse(frame["timestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture),
                        clock.Elapsed));
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // the test ends by disposing the socket
        }
    }

    /// <summary>A quote frame as received: the symbol's quote_sequence (Sequence) and the socket's frame sequence.</summary>
    private sealed record SeenQuote(string Symbol, long Sequence, long FrameSequence, DateTimeOffset Timestamp, TimeSpan ReceivedAfter);
}
