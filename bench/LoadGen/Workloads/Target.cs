using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using ActorQuotes.Bench.LoadGen.Measurement;
using ActorQuotes.Bench.LoadGen.Servers;

namespace ActorQuotes.Bench.LoadGen.Workloads;

/// <summary>Where the server binaries are and how the servers are started.</summary>
public sealed class ServerSettings
{
    public const string FeedKey = "bench-feed-key";

    /// <summary>Folder holding sut/, b0/, b1/ (published builds) or all three dlls side by side.</summary>
    public required string BinDirectory { get; init; }

    /// <summary>CSV of the benchmark's companies (the SUT's import format), given to every server.</summary>
    public required string CatalogCsv { get; init; }

    /// <summary>taskset CPU list for the servers; null: not pinned.</summary>
    public string? ServerCpus { get; init; }

    /// <summary>
    /// taskset CPU list of the generator; W5's third lane puts the two-node SUT's tickers node there, so that
    /// each node has a core of its own as when deployed (null, or the same list as the servers': no such lane).
    /// </summary>
    public string? GeneratorCpus { get; init; }

    /// <summary>
    /// Environment variables for the SUT's processes only (<c>--sut-env NAME=VALUE</c>): a setting or runtime
    /// knob tried on the SUT with B0 beside it as the yardstick, e.g. <c>Streaming__DispatcherThreads=1</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> SutEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Environment variables for B0's and B1's processes (<c>--baseline-env NAME=VALUE</c>): the same runtime knob
    /// given to the baselines, so that a gain the SUT gets from it is not read as a gain over them.
    /// </summary>
    public IReadOnlyDictionary<string, string> BaselineEnvironment { get; init; } = new Dictionary<string, string>();

    public string DllPath(ServerKind kind)
    {
        var (folder, dll) = kind switch
        {
            ServerKind.B0 => ("b0", "ActorQuotes.Bench.Baselines.Kestrel.dll"),
            ServerKind.B1 => ("b1", "ActorQuotes.Bench.Baselines.SignalR.dll"),
            _ => ("sut", "ActorQuotes.Gateway.dll"),
        };
        var published = Path.Combine(BinDirectory, folder, dll);
        return File.Exists(published) ? published : Path.Combine(BinDirectory, dll);
    }
}

/// <summary>
/// A running server as the workloads see it: where ticks go in, how a subscriber connects, and the
/// processes whose CPU and memory count (two for the two-node SUT).
/// </summary>
public sealed class Target : IAsyncDisposable
{
    private readonly ServerProcess[] _processes;

    private Target(string name, ServerKind kind, ServerProcess sockets, ServerProcess feed, ServerProcess[] processes, string? token)
    {
        Name = name;
        Kind = kind;
        Sockets = sockets;
        Feed = feed;
        _processes = processes;
        Token = token;
    }

    public string Name { get; }

    public ServerKind Kind { get; }

    /// <summary>The process the subscribers connect to.</summary>
    public ServerProcess Sockets { get; }

    /// <summary>The process the feed sends ticks to.</summary>
    public ServerProcess Feed { get; }

    public string? Token { get; }

    /// <summary>Whether the server has had its warm-up (<see cref="Runner"/>): once per process, whatever the workload.</summary>
    public bool WarmedUp { get; set; }

    public IReadOnlyList<ServerProcess> Processes => _processes;

    public double CpuSeconds() => _processes.Sum(p => p.CpuSeconds());

    /// <summary>Stops every process of this server (SIGSTOP) while another server is measured; see <see cref="ServerProcess.Pause"/>.</summary>
    public void Pause()
    {
        foreach (var process in _processes)
        {
            process.Pause();
        }
    }

    public void Resume()
    {
        foreach (var process in _processes)
        {
            process.Resume();
        }
    }

    public long RssBytes() => _processes.Sum(p => p.RssBytes());

    /// <summary>Threads of all the target's processes now.</summary>
    public int Threads() => _processes.Sum(p => p.Threads());

    public static async Task<Target> StartAsync(ServerKind kind, ServerSettings settings, CancellationToken cancellationToken)
    {
        var data = Directory.CreateTempSubdirectory("aq-bench-").FullName;
        var port = ServerProcess.FreePort();
        var arguments = new List<string>
        {
            "--Catalog:ImportFiles:0=" + settings.CatalogCsv,
            "--Feeds:Ingest:ApiKeys:0=" + ServerSettings.FeedKey,
            "--Logging:LogLevel:Default=Warning",
        };
        if (kind == ServerKind.Sut)
        {
            arguments.AddRange(SutArguments(data));
        }

        var process = await ServerProcess.StartAsync(settings.DllPath(kind), arguments, settings.ServerCpus, port, data, cancellationToken,
            kind == ServerKind.Sut ? settings.SutEnvironment : settings.BaselineEnvironment);
        try
        {
            var token = kind == ServerKind.Sut ? await SignInAsync(process.BaseAddress, cancellationToken) : null;
            return new Target(kind switch { ServerKind.B0 => "B0", ServerKind.B1 => "B1", _ => "SUT" }, kind, process, process, [process], token);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// W5: two ActorQuotes nodes on loopback sharing one PostgreSQL: tickers (and watchlists) on the seed
    /// node, the HTTP API and sockets on the gateway node. Ingest is part of the HTTP API, so the feed talks
    /// to the gateway node too: each tick crosses to its ticker and each quote comes back once per node.
    /// The gateway node runs on the servers' cores; the tickers node on <paramref name="quotesNodeCpus"/>
    /// (the servers' cores when null).
    /// </summary>
    public static async Task<Target> StartTwoNodesAsync(ServerSettings settings, string postgresConnectionString, string name,
        string? quotesNodeCpus, CancellationToken cancellationToken)
    {
        var seedPort = ServerProcess.FreePort();
        var seed = "akka.tcp://actorquotes@127.0.0.1:" + seedPort;
        string[] Common(string data) =>
        [
            "--Catalog:ImportFiles:0=" + settings.CatalogCsv,
            "--Feeds:Ingest:ApiKeys:0=" + ServerSettings.FeedKey,
            "--Logging:LogLevel:Default=Warning",
            "--Storage:Provider=postgresql",
            "--Storage:ConnectionString=" + DatabaseOf(postgresConnectionString, name),
            "--Node:SeedNodes:0=" + seed,
            // The runner stops a cluster whole while another lane is measured (Runner.QuietOthers).
            "--Node:AcceptableHeartbeatPause=00:10:00",
            .. SutArguments(data),
        ];

        var dataA = Directory.CreateTempSubdirectory("aq-bench-").FullName;
        var tickers = await ServerProcess.StartAsync(settings.DllPath(ServerKind.Sut),
            [.. Common(dataA), "--Node:Roles=quotes,watchlists", "--Node:Port=" + seedPort],
            quotesNodeCpus ?? settings.ServerCpus, ServerProcess.FreePort(), dataA, cancellationToken, settings.SutEnvironment);
        try
        {
            var dataB = Directory.CreateTempSubdirectory("aq-bench-").FullName;
            var gateway = await ServerProcess.StartAsync(settings.DllPath(ServerKind.Sut),
                [.. Common(dataB), "--Node:Roles=gateway", "--Node:Port=" + ServerProcess.FreePort()],
                settings.ServerCpus, ServerProcess.FreePort(), dataB, cancellationToken, settings.SutEnvironment);
            var token = await SignInAsync(gateway.BaseAddress, cancellationToken);
            return new Target(name, ServerKind.Sut, gateway, gateway, [tickers, gateway], token);
        }
        catch
        {
            await tickers.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Each two-node lane's own database (bench/run.sh creates them: <c>aq_</c> and the lane's name), so two
    /// clusters never share a journal: the connection string with its <c>Database</c> replaced.
    /// </summary>
    internal static string DatabaseOf(string connectionString, string lane) =>
        string.Join(';', connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Where(part => !part.Trim().StartsWith("Database=", StringComparison.OrdinalIgnoreCase))
            .Append("Database=aq_" + lane.ToLowerInvariant().Replace('-', '_')));

    /// <summary>Opens one subscriber socket following <paramref name="symbols"/> (as fast as possible: interval 0).</summary>
    public async Task<IQuoteClient> ConnectAsync(IReadOnlyList<string> symbols, LatencyRecorder recorder, CancellationToken cancellationToken) =>
        Kind switch
        {
            ServerKind.B1 => await SignalRQuoteClient.ConnectAsync(new Uri(Sockets.BaseAddress, "/hubs/quotes"), symbols, recorder, cancellationToken),
            ServerKind.Sut => await RawQuoteClient.ConnectAsync(Sockets.Endpoint, "/api/v1/ws/quotes?interval_ms=0&token=" + Uri.EscapeDataString(Token!),
                symbols, recorder, cancellationToken),
            _ => await RawQuoteClient.ConnectAsync(Sockets.Endpoint, "/api/v1/ws/quotes?interval_ms=0", symbols, recorder, cancellationToken),
        };

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes.Reverse())
        {
            await process.DisposeAsync();
        }
    }

    private static IEnumerable<string> SutArguments(string data) =>
    [
        "--Storage:DataDirectory=" + data,
        "--Feeds:Simulated:Enabled=false",
        "--Auth:PasswordIterations=100000",
        "--Streaming:MaxSocketsPerUser=1000000",

        // The runner stops idle servers (SIGSTOP) while another is measured, for a minute or more in W4; a
        // stopped node must not find, when resumed, that its pings went unanswered or its frames untaken for
        // longer than these timeouts allow. Neither bears on throughput; W4's stalled windows end within 30 s.
        "--Streaming:KeepAliveTimeout=00:10:00",
        "--Streaming:SlowConsumerTimeout=00:10:00",
    ];

    private static async Task<string> SignInAsync(Uri baseAddress, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var credentials = new { username = "bench", password = "bench-password-1" };

        // A node that has just started may answer 503 until its cluster has formed: try again for a while.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            using var registered = await http.PostAsJsonAsync("/api/v1/auth/register", credentials, cancellationToken);
            if (registered.IsSuccessStatusCode || registered.StatusCode == HttpStatusCode.Conflict)
            {
                break;
            }

            if (registered.StatusCode != HttpStatusCode.ServiceUnavailable || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"register failed: {(int)registered.StatusCode} {await registered.Content.ReadAsStringAsync(cancellationToken)}");
            }

            await Task.Delay(500, cancellationToken);
        }

        while (true)
        {
            using var login = await http.PostAsJsonAsync("/api/v1/auth/login", credentials, cancellationToken);
            if (login.StatusCode == HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500, cancellationToken);
                continue;
            }

            login.EnsureSuccessStatusCode();
            var body = await login.Content.ReadFromJsonAsync<LoginBody>(cancellationToken);
            return body?.Token ?? throw new InvalidOperationException("login answered no token");
        }
    }

    private sealed record LoginBody([property: JsonPropertyName("token")] string Token);
}
