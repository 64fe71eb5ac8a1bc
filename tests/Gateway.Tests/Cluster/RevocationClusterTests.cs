using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using ActorQuotes.Cli;
using ActorQuotes.Gateway.Tests.Infrastructure;

namespace ActorQuotes.Gateway.Tests.Cluster;

/// <summary>
/// Logouts and token checks with the node that hosts the user's account entity frozen (SIGSTOP): neither
/// depends on that entity any more. Real processes, one real PostgreSQL; the cluster is left running and ready.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RevocationClusterTests(TestCluster cluster, ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>What issue 21 promises for a logout: every node, within one second.</summary>
    private static readonly TimeSpan LogoutBound = TimeSpan.FromSeconds(1);

    /// <summary>A frozen node's downing, exit and restart on a loaded machine, as in <see cref="ClusterTests"/>.</summary>
    private static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan FrameWait = TimeSpan.FromSeconds(20);

    public async ValueTask InitializeAsync() => await cluster.EnsureAllRunningAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact(DisplayName = "Logout on one node closes a socket on another within one second while the account's node is frozen")]
    public async Task Logout_while_account_node_is_frozen()
    {
        var username = GatewayFixture.NewUsername("frz1");
        var (token, _) = await cluster.A.RegisterAndLogin(username);
        var (frozen, watchlistNode, id) = await Placement(username, token);
        // The two nodes that stay awake: one answers the logout, the other holds the socket.
        var logoutNode = watchlistNode;
        var socketNode = cluster.A;
        output.WriteLine($"account {username} on {frozen.Name}; watchlist {id} on {watchlistNode.Name}; logout through {logoutNode.Name}; socket on {socketNode.Name}");

        using var socket = await Connect(socketNode, id, token);
        Assert.NotNull(await socket.ReceiveText(FrameWait));
        var closed = ReadUntilClosed(socket);

        await frozen.Process.FreezeAsync();
        try
        {
            var clock = Stopwatch.StartNew();
            using var logout = await logoutNode.Http.SendAsync(ApiClient.Authorized(HttpMethod.Post, "/api/v1/auth/logout", token));
            var answeredAfter = clock.Elapsed;
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

            string? lastError;
            try
            {
                lastError = await closed.WaitAsync(LogoutBound);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"the socket on {socketNode.Name} was still open {LogoutBound.TotalSeconds} s after the logout's 204");
                throw;
            }

            output.WriteLine($"logout answered in {answeredAfter.TotalMilliseconds:F0} ms; the socket on {socketNode.Name} closed {(clock.Elapsed - answeredAfter).TotalMilliseconds:F0} ms later");
            Assert.Equal(4401, (int)socket.CloseStatus!);
            Assert.Equal("unauthorized", lastError);

            foreach (var node in new[] { logoutNode, socketNode })
            {
                using var refused = await node.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}", token));
                Assert.True(refused.StatusCode == HttpStatusCode.Unauthorized, $"{node.Name} answered {(int)refused.StatusCode} to the logged-out token");
                Assert.Equal("unauthorized", (await refused.ReadJson())["code"]!.GetValue<string>());
            }
        }
        finally
        {
            await frozen.Process.ThawAsync();
        }

        await Recover(frozen);

        // The frozen node either heard of the logout after SIGCONT (pub-sub or its poll) or was downed and
        // restarted, reading it at start: either way it refuses the token too.
        Assert.True(await Eventually.TrueWithin(FrameWait, async () =>
        {
            using var response = await frozen.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/auth/me", token));
            return response.StatusCode == HttpStatusCode.Unauthorized;
        }), $"{frozen.Name} still accepts the logged-out token");
    }

    [Fact(DisplayName = "Authenticated requests keep working while the account's node is frozen: a new stream opens, and a watchlist hosted elsewhere answers 200 through every healthy node until the frozen node is downed")]
    public async Task Requests_work_while_account_node_is_frozen()
    {
        var username = GatewayFixture.NewUsername("frz2");
        var (token, _) = await cluster.A.RegisterAndLogin(username);
        var (frozen, watchlistNode, id) = await Placement(username, token);
        var healthy = cluster.Nodes.Where(n => n != frozen).ToArray();
        output.WriteLine($"account {username} on {frozen.Name}; watchlist {id} on {watchlistNode.Name}");

        await frozen.Process.FreezeAsync();
        try
        {
            var clock = Stopwatch.StartNew();
            using var socket = await Connect(cluster.A, id, token);
            var first = JsonNode.Parse((await socket.ReceiveText(FrameWait))!)!;
            Assert.Equal("price_update", first["type"]!.GetValue<string>());
            output.WriteLine($"a new stream on A sent its first frame {clock.Elapsed.TotalMilliseconds:F0} ms after SIGSTOP");

            // Every read through every healthy node answers 200, from SIGSTOP until the majority has downed the
            // frozen node (the window in which, asking the account per request, they failed for 21-25 s).
            var reads = 0;
            var downed = await Eventually.TrueWithin(FailoverBound, async () =>
            {
                foreach (var node in healthy)
                {
                    using var read = await node.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}", token));
                    Assert.True(read.StatusCode == HttpStatusCode.OK,
                        $"{node.Name} answered {(int)read.StatusCode} {clock.Elapsed.TotalSeconds:F1} s after SIGSTOP: {await read.Content.ReadAsStringAsync()}");
                    Assert.Equal(id, (await read.ReadJson())["watchlist_id"]!.GetValue<long>());
                    reads++;
                }

                return (await watchlistNode.ReadinessAsync()).MembersUp == 2;
            });
            Assert.True(downed, $"{frozen.Name} was not downed within {FailoverBound.TotalSeconds} s");
            output.WriteLine($"{reads} reads through {string.Join(", ", healthy.Select(n => n.Name))} answered 200 until {frozen.Name} was downed {clock.Elapsed.TotalSeconds:F1} s after SIGSTOP");
        }
        finally
        {
            await frozen.Process.ThawAsync();
        }

        await Recover(frozen);
    }

    /// <summary>
    /// The node hosting the user's account entity (located with aq, as an operator would), and a watchlist of the
    /// user hosted on the other watchlists node (created until one lands there).
    /// </summary>
    private async Task<(ClusterNode Frozen, ClusterNode WatchlistNode, long WatchlistId)> Placement(string username, string token)
    {
        var account = await Aq(cluster.A, "cluster-sharding", "locate", "-r", "account", "-e", username, "--json");
        var frozen = cluster.Nodes.Single(n => n.AkkaAddress == account["node"]!.GetValue<string>());
        Assert.True(account["alive"]!.GetValue<bool>(), account.ToJsonString());
        var other = frozen == cluster.B ? cluster.C : cluster.B;
        Assert.Contains(frozen, new[] { cluster.B, cluster.C });

        for (var i = 0; i < 20; i++)
        {
            var id = await cluster.A.CreateWatchlist(token, $"Placed {i}");
            var located = await Aq(cluster.A, "cluster-sharding", "locate", "-r", "watchlist", "-e", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
            if (located["node"]!.GetValue<string>() == other.AkkaAddress)
            {
                // Read once through every node, so each one's region knows where the watchlist lives.
                foreach (var node in cluster.Nodes)
                {
                    using var read = await node.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}", token));
                    Assert.Equal(HttpStatusCode.OK, read.StatusCode);
                }

                return (frozen, other, id);
            }
        }

        throw new InvalidOperationException($"none of 20 watchlists landed on {other.Name}");
    }

    /// <summary>
    /// After SIGCONT: a node frozen past the failure detector is downed and exits (then it is restarted); one
    /// woken sooner rejoins as it was. Either way all three nodes end up running and ready.
    /// </summary>
    private async Task Recover(ClusterNode thawed)
    {
        var settled = await Eventually.TrueWithin(FailoverBound, async () =>
            thawed.Process.HasExited || (await thawed.ReadinessAsync() is { Status: HttpStatusCode.OK, MembersUp: 3 }
                                         && (await cluster.A.ReadinessAsync()).MembersUp == 3));
        Assert.True(settled, $"{thawed.Name} neither exited nor rejoined after SIGCONT");
        if (thawed.Process.HasExited)
        {
            output.WriteLine($"{thawed.Name} was downed and exited; restarting it");
            await thawed.StartAsync();
        }

        await cluster.WaitAllReadyAsync();
    }

    private static async Task<ClientWebSocket> Connect(ClusterNode node, long id, string token)
    {
        var socket = new ClientWebSocket();
        var uri = new UriBuilder(node.BaseAddress) { Scheme = "ws", Path = $"/api/v1/ws/watchlist/{id}/prices", Query = "token=" + token }.Uri;
        using var timeout = new CancellationTokenSource(FrameWait);
        await socket.ConnectAsync(uri, timeout.Token);
        return socket;
    }

    /// <summary>Reads frames until the server closes the socket (bounded); the code of the last error frame.</summary>
    private static Task<string?> ReadUntilClosed(ClientWebSocket socket) => Task.Run(async () =>
    {
        string? lastError = null;
        var deadline = DateTime.UtcNow + FailoverBound;
        while (DateTime.UtcNow < deadline && await socket.ReceiveText(deadline - DateTime.UtcNow) is { } text)
        {
            var frame = JsonNode.Parse(text)!;
            if (frame["type"]!.GetValue<string>() == "error")
            {
                lastError = frame["code"]!.GetValue<string>();
            }
        }

        return lastError;
    });

    /// <summary>Runs aq in this process against a node's admin endpoint; fails unless it exits 0.</summary>
    private static async Task<JsonNode> Aq(ClusterNode node, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var console = new AqConsole
        {
            Out = stdout,
            Error = stderr,
            In = new StringReader(string.Empty),
            IsInteractiveTerminal = false,
            Environment = _ => null,
            HistoryFile = null,
            CancelKeyToken = () => CancellationToken.None,
        };
        var exit = await AqApp.RunAsync(["--node", $"127.0.0.1:{node.AdminPort}", "--key", TestCluster.AdminKey, .. args], console)
            .WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"aq {string.Join(' ', args)} on {node.Name}: exit {exit}\n{stdout}\n{stderr}");
        return JsonNode.Parse(stdout.ToString())!;
    }
}
