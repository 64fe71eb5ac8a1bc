using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ActorQuotes.Gateway.Tests.Infrastructure;

namespace ActorQuotes.Gateway.Tests.Cluster.Partition;

/// <summary>
/// The three nodes of <see cref="TestCluster"/> (A = gateway,quotes; B = gateway,watchlists; C = gateway,quotes,watchlists),
/// each in a network namespace of its own on a <see cref="PartitionNetwork"/>: Akka talks over the cluster links, the
/// test's clients and PostgreSQL over the access links, so one node's cluster link can be cut while clients on both
/// sides keep writing. The tests of the partition collection share it and leave all three nodes running and ready.
/// </summary>
public sealed partial class PartitionCluster : IAsyncLifetime
{
    private static readonly string[] Names = ["A", "B", "C"];

    // Never initialized: lends the nodes TestCluster's settings (key, roles, feeds) and data folders, so the nodes
    // are TestCluster's ClusterNode and WriteLedger works on them as on the loopback cluster.
    private readonly TestCluster _shell = new();
    private PostgresServer? _postgres;
    private bool _disposed;

    public PartitionNetwork Network { get; private set; } = null!;

    public ClusterNode A { get; private set; } = null!;

    public ClusterNode B { get; private set; } = null!;

    public ClusterNode C { get; private set; } = null!;

    public IReadOnlyList<ClusterNode> Nodes => [A, B, C];

    public async ValueTask InitializeAsync()
    {
        try
        {
            Network = await PartitionNetwork.CreateAsync(Names);
            _postgres = await PostgresServer.StartAsync(Network.DatabaseAddress, Network.AccessNetwork);
            await _postgres.CreateDatabaseAsync("partition");
            var database = _postgres.ConnectionString("partition", host: Network.DatabaseAddress);

            var seeds = Names.Select((name, i) => $"akka.tcp://actorquotes@{Network.ClusterAddress(name)}:{4051 + i}").ToArray();
            A = new ClusterNode("A", "gateway,quotes", 4051, 8001, _shell, seeds);
            B = new ClusterNode("B", "gateway,watchlists", 4052, 8002, _shell, seeds);
            C = new ClusterNode("C", "gateway,quotes,watchlists", 4053, 8003, _shell, seeds);
            foreach (var node in Nodes)
            {
                GatewayProcess.Place(_shell.DataDirectory(node), new NetworkPlacement(
                    Network.Namespace(node.Name),
                    Network.AccessAddress(node.Name),
                    new Dictionary<string, string>
                    {
                        ["Node:Hostname"] = Network.ClusterAddress(node.Name),
                        ["Admin:Hostname"] = Network.AccessAddress(node.Name),
                        ["Storage:ConnectionString"] = database,
                    }));
            }

            // The first seed forms the cluster; the others join it.
            await A.StartAsync();
            await Task.WhenAll(B.StartAsync(), C.StartAsync());
            await WaitAllReadyAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts any node a test left down, and waits until all three are ready and see each other up.</summary>
    public async Task EnsureAllRunningAsync()
    {
        foreach (var node in Nodes.Where(n => !n.IsRunning))
        {
            await node.StartAsync();
        }

        await WaitAllReadyAsync();
    }

    public async Task WaitAllReadyAsync()
    {
        await Task.WhenAll(Nodes.Select(n => n.WaitReadyAsync(TestCluster.ReadyTimeout)));
        foreach (var node in Nodes)
        {
            if (!await Eventually.TrueWithin(TestCluster.ReadyTimeout, async () => (await MembershipAsync(node)) is { Up: 3, Unreachable: 0 }))
            {
                throw new TimeoutException($"node {node.Name} does not see three members up and none unreachable: {await node.Http.GetStringAsync("/health/ready")}");
            }
        }
    }

    /// <summary>
    /// How many members <paramref name="node"/> counts Up and unreachable, from its readiness report; (-1, -1) while it
    /// is not an Up member itself or does not answer.
    /// </summary>
    public static async Task<(int Up, int Unreachable)> MembershipAsync(ClusterNode node)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var response = await node.Http.GetAsync("/health/ready", timeout.Token);
            var report = JsonNode.Parse(await response.Content.ReadAsStringAsync(timeout.Token))!;
            var member = report["checks"]!["cluster-member"]!["description"]!.GetValue<string>();
            return MembersLine().Match(member) is { Success: true } match
                ? (int.Parse(match.Groups["up"].Value, System.Globalization.CultureInfo.InvariantCulture),
                    int.Parse(match.Groups["unreachable"].Value, System.Globalization.CultureInfo.InvariantCulture))
                : (-1, -1);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException or NullReferenceException)
        {
            return (-1, -1);
        }
    }

    /// <summary>
    /// The watchlists node (B or C) that hosts more of <paramref name="watchlists"/>, with how many of them, as A's
    /// admin endpoint locates each entity (<c>aq sharding locate</c>).
    /// </summary>
    public async Task<(ClusterNode Node, int Hosted)> BusierWatchlistsNodeAsync(IReadOnlyList<long> watchlists)
    {
        using var admin = new HttpClient { BaseAddress = new Uri($"http://{Network.AccessAddress(A.Name)}:{A.AdminPort}"), Timeout = TimeSpan.FromSeconds(15) };
        admin.DefaultRequestHeaders.Add("X-Admin-Key", TestCluster.AdminKey);
        var homes = new List<string>();
        foreach (var id in watchlists)
        {
            var location = JsonNode.Parse(await admin.GetStringAsync($"/admin/v1/sharding/regions/watchlist/entities/{id}"))!;
            homes.Add(location["node"]!.GetValue<string>());
        }

        return new[] { B, C }
            .Select(node => (Node: node, Hosted: homes.Count(h => h.Contains($"@{Network.ClusterAddress(node.Name)}:", StringComparison.Ordinal))))
            .MaxBy(h => h.Hosted);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var node in new[] { A, B, C }.Where(n => n is not null))
        {
            await node.DisposeAsync();
            GatewayProcess.Unplace(_shell.DataDirectory(node));
        }

        await _shell.DisposeAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        if (Network is not null)
        {
            await Network.DisposeAsync();
        }
    }

    [GeneratedRegex(@"members up=(?<up>\d+) unreachable=(?<unreachable>\d+)")]
    private static partial Regex MembersLine();
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PartitionCollection : ICollectionFixture<PartitionCluster>
{
    public const string Name = "three-node cluster in network namespaces";
}
