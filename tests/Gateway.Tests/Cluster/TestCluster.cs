using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ActorQuotes.Gateway.Tests.Infrastructure;

namespace ActorQuotes.Gateway.Tests.Cluster;

/// <summary>
/// Three ActorQuotes nodes as separate OS processes on loopback, on one PostgreSQL database the fixture starts:
/// A = gateway,quotes; B = gateway,watchlists; C = gateway,quotes,watchlists (every role on two nodes, so losing
/// any one loses no role). Each node seeds from all three fixed Akka ports, so any of them can restart and rejoin.
/// The tests of the cluster collection share it and leave all three nodes running and ready.
/// </summary>
public sealed class TestCluster : IAsyncLifetime
{
    /// <summary>How long a node may take to become ready (start, join, reach the coordinators) on a loaded 2-core machine.</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    /// <summary>The admin key of every node (aq --key).</summary>
    public const string AdminKey = "cluster-admin-key-for-tests";

    private PostgresServer? _postgres;
    private string[] _seeds = [];
    private string _connectionString = string.Empty;
    private readonly string _signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly string _root = Path.Combine(Path.GetTempPath(), "aq-cluster-" + Guid.NewGuid().ToString("N")[..8]);

    public ClusterNode A { get; private set; } = null!;

    public ClusterNode B { get; private set; } = null!;

    public ClusterNode C { get; private set; } = null!;

    public IReadOnlyList<ClusterNode> Nodes => [A, B, C];

    public async ValueTask InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        _connectionString = await _postgres.CreateDatabaseAsync("cluster");
        var ports = FreePorts(6);
        _seeds = ports.Take(3).Select(p => $"akka.tcp://actorquotes@127.0.0.1:{p}").ToArray();
        A = new ClusterNode("A", "gateway,quotes", ports[0], ports[3], this, _seeds);
        B = new ClusterNode("B", "gateway,watchlists", ports[1], ports[4], this, _seeds);
        C = new ClusterNode("C", "gateway,quotes,watchlists", ports[2], ports[5], this, _seeds);

        // The first seed forms the cluster; the others join it (they would wait for it anyway).
        await A.StartAsync();
        await Task.WhenAll(B.StartAsync(), C.StartAsync());
        await WaitAllReadyAsync();
    }

    /// <summary>Starts one more node with the same seeds and settings; the caller disposes it (kill) when done.</summary>
    public async Task<ClusterNode> StartExtraNodeAsync(string name, string roles)
    {
        var ports = FreePorts(2);
        var node = new ClusterNode(name, roles, ports[0], ports[1], this, _seeds);
        await node.StartAsync();
        await node.WaitReadyAsync(ReadyTimeout);
        return node;
    }

    /// <summary>Starts any node a failed test left down, and waits until all three are ready.</summary>
    public async Task EnsureAllRunningAsync()
    {
        foreach (var node in Nodes.Where(n => !n.IsRunning))
        {
            await node.StartAsync();
        }

        await WaitAllReadyAsync();
    }

    /// <summary>Every node ready and seeing exactly the three members Up (a node that just left or died is gone).</summary>
    public async Task WaitAllReadyAsync()
    {
        await Task.WhenAll(Nodes.Select(n => n.WaitReadyAsync(ReadyTimeout)));
        foreach (var node in Nodes)
        {
            if (!await Eventually.TrueWithin(ReadyTimeout, async () => (await node.ReadinessAsync()).MembersUp == 3))
            {
                throw new TimeoutException($"node {node.Name} does not see three members up: {await node.Http.GetStringAsync("/health/ready")}");
            }
        }
    }

    internal IReadOnlyDictionary<string, string> Settings(ClusterNode node, string[] seeds)
    {
        var settings = new Dictionary<string, string>
        {
            ["Node:Port"] = node.AkkaPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Node:Roles"] = node.Roles,
            ["Admin:Key"] = AdminKey,
            ["Admin:Port"] = node.AdminPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Storage:Provider"] = "postgresql",
            ["Storage:ConnectionString"] = _connectionString,
            ["Auth:SigningKey"] = _signingKey,
            ["Auth:PasswordIterations"] = "100000",
            ["Feeds:Simulated:TicksPerSecond"] = "200",
            ["Streaming:FrameInterval"] = "00:00:00.100",
        };
        for (var i = 0; i < seeds.Length; i++)
        {
            settings[$"Node:SeedNodes:{i}"] = seeds[i];
        }

        return settings;
    }

    internal string DataDirectory(ClusterNode node) => Path.Combine(_root, node.Name);

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Nodes.Where(n => n is not null).Select(n => n.DisposeAsync().AsTask()));
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}

/// <summary>One node of <see cref="TestCluster"/>: its fixed Akka port and data folder survive restarts; its HTTP port does not.</summary>
public sealed class ClusterNode(string name, string roles, int akkaPort, int adminPort, TestCluster cluster, string[] seeds) : IAsyncDisposable
{
    private GatewayProcess? _process;
    private readonly List<string> _earlierOutputs = [];

    public string Name { get; } = name;

    /// <summary>The output of this node's earlier processes (each restart ends one), oldest first, for <see cref="NodeLogs"/>.</summary>
    public IReadOnlyList<string> EarlierOutputs => _earlierOutputs;

    /// <summary>What the node's latest process printed (running or exited); null before its first start.</summary>
    public string? Output => _process?.Output;

    public string Roles { get; } = roles;

    public int AkkaPort { get; } = akkaPort;

    /// <summary>The admin endpoint (aq --node), fixed across restarts like the Akka port.</summary>
    public int AdminPort { get; } = adminPort;

    public string AkkaAddress => $"akka.tcp://actorquotes@127.0.0.1:{AkkaPort}";

    public GatewayProcess Process => _process ?? throw new InvalidOperationException($"node {Name} is not running");

    public HttpClient Http => Process.Http;

    public Uri BaseAddress => Process.BaseAddress;

    public bool IsRunning => _process is { HasExited: false };

    public async Task StartAsync()
    {
        if (_process is not null)
        {
            _earlierOutputs.Add(_process.Output);
            await _process.DisposeAsync();
        }

        _process = await GatewayProcess.StartAsync(cluster.DataDirectory(this), cluster.Settings(this, seeds));
    }

    /// <summary>Polls <c>/health/ready</c> until it answers 200 (bounded); fails with the node's output.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var last = "(no answer)";
        var ready = await Eventually.TrueWithin(timeout, async () =>
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"node {Name} exited while waiting to be ready. Output:\n{Process.Output}");
            }

            using var response = await Http.GetAsync("/health/ready");
            last = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.OK;
        });
        if (!ready)
        {
            throw new TimeoutException($"node {Name} was not ready within {timeout.TotalSeconds} s; last answer: {last}");
        }
    }

    /// <summary>The readiness report: member status and how many entities of each type this node hosts.</summary>
    public async Task<(HttpStatusCode Status, int Watchlists, int Tickers, int MembersUp)> ReadinessAsync()
    {
        using var response = await Http.GetAsync("/health/ready");
        var report = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var regions = report["checks"]!["shard-regions"]!["description"]!.GetValue<string>();
        var member = report["checks"]!["cluster-member"]!["description"]!.GetValue<string>();
        return (response.StatusCode, Count(regions, "watchlist="), Count(regions, "ticker="), Count(member, "members up="));
    }

    private static int Count(string text, string key)
    {
        var at = text.IndexOf(key, StringComparison.Ordinal);
        if (at < 0)
        {
            return -1;
        }

        var digits = new string(text[(at + key.Length)..].TakeWhile(char.IsAsciiDigit).ToArray());
        return digits.Length == 0 ? -1 : int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection : ICollectionFixture<TestCluster>
{
    public const string Name = "three-node cluster";
}
