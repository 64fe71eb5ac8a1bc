using System.Text.Json.Nodes;
using ActorQuotes.Cli;
using ActorQuotes.Gateway.Tests.Infrastructure;

namespace ActorQuotes.Gateway.Tests.Cluster;

/// <summary>
/// The questions an operator asks of a real cluster with aq, from any node: which node holds watchlist 42,
/// where the tickers and the feed run, how many sockets a node holds, and scaling in with cluster leave.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterOperatorTests(TestCluster cluster, ITestOutputHelper output) : IAsyncLifetime
{
    public async ValueTask InitializeAsync() => await cluster.EnsureAllRunningAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact(DisplayName = "aq on any node of the cluster: members with their roles, the node of a watchlist, tickers and the feed on quotes nodes, sockets per node")]
    public async Task Aq_answers_for_the_whole_cluster()
    {
        // (A node an earlier test scaled in may still be listed for a moment as exiting or removed.)
        var show = await Aq(cluster.B, "cluster", "show", "--json");
        var members = show["members"]!.AsArray().Where(m => m!["status"]!.GetValue<string>() == "up")
            .ToDictionary(m => m!["address"]!.GetValue<string>(), m => m!);
        Assert.Equal(3, members.Count);
        foreach (var node in cluster.Nodes)
        {
            var member = members[node.AkkaAddress];
            Assert.Equal("up", member["status"]!.GetValue<string>());
            Assert.Equal(node.Roles.Split(','), member["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        }

        // "Which node holds watchlist 42?" — asked of A, which hosts no watchlist itself.
        var (token, _) = await cluster.C.RegisterAndLogin(GatewayFixture.NewUsername("aq"));
        var id = await cluster.C.CreateWatchlist(token, "Operated");
        await cluster.C.PutStock(token, id, "7203", 100, 2500);
        var located = await Aq(cluster.A, "cluster-sharding", "locate", "-r", "watchlist", "-e", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        var holder = located["node"]!.GetValue<string>();
        Assert.Contains(holder, new[] { cluster.B.AkkaAddress, cluster.C.AkkaAddress });
        Assert.True(located["alive"]!.GetValue<bool>(), located.ToJsonString());
        var shown = await Aq(cluster.B, "watchlist", "show", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        Assert.Equal("Operated", shown["name"]!.GetValue<string>());
        output.WriteLine($"watchlist {id} lives on {holder}");

        // Tickers live only on the quotes nodes (A and C), whichever node is asked.
        var tickers = await Aq(cluster.B, "cluster-sharding", "region-stats", "-r", "ticker", "--json");
        var tickerNodes = tickers["nodes"]!.AsArray().Where(n => n!["entities"]!.GetValue<int>() > 0).Select(n => n!["address"]!.GetValue<string>()).ToHashSet();
        Assert.Subset(new HashSet<string> { cluster.A.AkkaAddress, cluster.C.AkkaAddress }, tickerNodes);
        Assert.NotEmpty(tickerNodes);
        var ticker = await Aq(cluster.B, "ticker", "show", "7203", "--json");
        Assert.True(ticker["sequence"]!.GetValue<long>() > 0, ticker.ToJsonString());

        // The simulated feed is a singleton on a quotes node; B (no quotes role) still finds and reports it.
        var feeds = await Aq(cluster.B, "feed", "status", "--json");
        var simulated = feeds["feeds"]!.AsArray().Single(f => f!["feed"]!.GetValue<string>() == "simulated")!;
        Assert.True(simulated["running"]!.GetValue<bool>(), feeds.ToJsonString());

        // "How many sockets does node B hold?": the one opened there, and none on C.
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        using (var connect = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            await socket.ConnectAsync(new UriBuilder(cluster.B.BaseAddress) { Scheme = "ws", Path = $"/api/v1/ws/watchlist/{id}/prices", Query = "token=" + token }.Uri, connect.Token);
        }

        Assert.NotNull(await socket.ReceiveText(TimeSpan.FromSeconds(20)));
        var onB = (await Aq(cluster.B, "sessions", "list", "--json"))["sessions"]!.AsArray();
        var session = Assert.Single(onB, s => s!["watchlist_id"]?.GetValue<long>() == id)!;
        Assert.True(session["frames_sent"]!.GetValue<long>() >= 1);
        Assert.DoesNotContain((await Aq(cluster.C, "sessions", "list", "--json"))["sessions"]!.AsArray(), s => s!["watchlist_id"]?.GetValue<long>() == id);
    }

    [Fact(DisplayName = "aq cluster leave scales a node in: it hands off, leaves, its process exits, the cluster is three again, and cluster tail on another node shows it go")]
    public async Task Aq_cluster_leave()
    {
        await using var extra = await cluster.StartExtraNodeAsync("E", "gateway,watchlists");
        Assert.True(await Eventually.TrueWithin(TimeSpan.FromSeconds(30), async () => (await cluster.A.ReadinessAsync()).MembersUp == 4), "A never saw E up");
        using var ctrlC = new CancellationTokenSource();
        var tailOutput = new SignalingWriter($"\"type\":\"member_removed\",\"address\":\"{extra.AkkaAddress}\"");
        var tail = Run(cluster.B, ["cluster", "tail", "--json"], tailOutput, ctrlC.Token);

        var leave = await Aq(cluster.A, "cluster", "leave", extra.AkkaAddress, "--json");
        Assert.Equal($$"""{"command":"leave","addresses":["{{extra.AkkaAddress}}"]}""", leave.ToJsonString());
        await tailOutput.Seen.WaitAsync(TimeSpan.FromSeconds(60));
        await ctrlC.CancelAsync();
        Assert.Equal(0, (await tail).Exit);

        Assert.True(await extra.Process.WaitForExitAsync(TimeSpan.FromSeconds(60)), "the node that left kept running");
        await cluster.WaitAllReadyAsync();

        // The leader removes the member once it has exited; until then it is listed as exiting.
        JsonNode show = new JsonObject();
        var removed = await Eventually.TrueWithin(TimeSpan.FromSeconds(30), async () =>
            !(show = await Aq(cluster.A, "cluster", "show", "--json"))["members"]!.AsArray().Any(m => m!["address"]!.GetValue<string>() == extra.AkkaAddress));
        Assert.True(removed, "the node that left is still a member: " + show.ToJsonString());

        Assert.Equal(3, show["members"]!.AsArray().Count);
    }

    /// <summary>Runs aq in this process against a node's admin endpoint, as an operator types it; fails unless it exits 0.</summary>
    private static async Task<JsonNode> Aq(ClusterNode node, params string[] args)
    {
        var stdout = new StringWriter();
        var (exit, errors) = await Run(node, args, stdout, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"aq {string.Join(' ', args)} on {node.Name}: exit {exit}\n{stdout}\n{errors}");
        return JsonNode.Parse(stdout.ToString())!;
    }

    private static async Task<(int Exit, string Errors)> Run(ClusterNode node, string[] args, TextWriter stdout, CancellationToken ctrlC)
    {
        var stderr = new StringWriter();
        var console = new AqConsole
        {
            Out = stdout,
            Error = stderr,
            In = new StringReader(string.Empty),
            IsInteractiveTerminal = false,
            Environment = _ => null,
            HistoryFile = null,
            CancelKeyToken = () => ctrlC,
        };
        var exit = await AqApp.RunAsync(["--node", $"127.0.0.1:{node.AdminPort}", "--key", TestCluster.AdminKey, .. args], console);
        return (exit, stderr.ToString());
    }

    /// <summary>A writer that signals once what was written contains <paramref name="awaited"/>.</summary>
    private sealed class SignalingWriter(string awaited) : StringWriter
    {
        private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Seen => _seen.Task;

        public override void Write(char value) => Write(value.ToString());

        public override void Write(string? value)
        {
            lock (_seen)
            {
                base.Write(value);
                if (ToString().Contains(awaited, StringComparison.Ordinal))
                {
                    _seen.TrySetResult();
                }
            }
        }

        public override void WriteLine(string? value) => Write(value + "\n");
    }
}
