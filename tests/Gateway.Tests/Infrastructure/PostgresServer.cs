using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ActorQuotes.Gateway.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL 15 cluster in a temp folder on a free loopback port, run from Debian's binaries.
/// It can be stopped hard and started again on the same port and data to simulate an outage. It can also listen on
/// one more address of this host and trust one more network (nodes in network namespaces reach it there).
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>Debian's PostgreSQL server binaries; AQ_PG_BIN points elsewhere (test.sh installs them if missing).</summary>
    private static readonly string BinDirectory =
        Environment.GetEnvironmentVariable("AQ_PG_BIN") is { Length: > 0 } custom ? custom : "/usr/lib/postgresql/15/bin";
    private const string ServiceUser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly string _root;
    private readonly string? _extraAddress;
    private bool _running;

    private PostgresServer(string root, int port, string? extraAddress)
    {
        _root = root;
        Port = port;
        _extraAddress = extraAddress;
    }

    public int Port { get; }

    private string DataDirectory => Path.Combine(_root, "data");

    private string SocketDirectory => Path.Combine(_root, "sock");

    private string LogFile => Path.Combine(_root, "log");

    private string PidFile => Path.Combine(DataDirectory, "postmaster.pid");

    // initdb and postgres refuse to run as root, which is how CI and the dev containers run the tests.
    private static bool IsRoot => Environment.UserName == "root";

    public static Task<PostgresServer> StartAsync(CancellationToken ct = default) => StartAsync(extraAddress: null, trustedNetwork: null, ct);

    /// <summary>
    /// Starts a server that also listens on <paramref name="extraAddress"/> (an address of this host, e.g. on a
    /// bridge) and lets clients from <paramref name="trustedNetwork"/> (CIDR) in without a password, like loopback.
    /// </summary>
    public static async Task<PostgresServer> StartAsync(string? extraAddress, string? trustedNetwork, CancellationToken ct = default)
    {
        // Short name: the socket path (<root>/sock/.s.PGSQL.<port>) must fit in 107 bytes.
        var root = Path.Combine(Path.GetTempPath(), "aq-pg-" + Guid.NewGuid().ToString("N")[..12]);
        CreateTraversableDirectory(root);
        Directory.CreateDirectory(Path.Combine(root, "sock"));
        if (IsRoot)
        {
            await RunAsync("chown", ["-R", $"{ServiceUser}:{ServiceUser}", root], ct);
        }

        var server = new PostgresServer(root, FreeLoopbackPort(), extraAddress);
        try
        {
            await RunPostgresAsync("initdb", ["-D", server.DataDirectory, "-U", ServiceUser, "--auth=trust", "-E", "UTF8", "--no-locale"], ct);
            if (trustedNetwork is not null)
            {
                // initdb's --auth=trust covers loopback only.
                await File.AppendAllTextAsync(Path.Combine(server.DataDirectory, "pg_hba.conf"), $"host all all {trustedNetwork} trust\n", ct);
            }

            await server.StartServerAsync(ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public string ConnectionString(string database = "postgres", string host = "127.0.0.1") =>
        new NpgsqlConnectionStringBuilder
        {
            Host = host,
            Port = Port,
            Username = ServiceUser,
            Database = database,
            Timeout = 3,
            CommandTimeout = 5,
            Pooling = true,
        }.ConnectionString;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken ct = default)
    {
        // Unpooled: a pooled connection may predate a StopAsync of this server and be dead.
        var admin = new NpgsqlConnectionStringBuilder(ConnectionString()) { Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
        await command.ExecuteNonQueryAsync(ct);
        return ConnectionString(name);
    }

    /// <summary>Stops the server the hard way (like a crash or a pulled cable), keeping its data.</summary>
    public async Task StopAsync()
    {
        await RunPostgresAsync("pg_ctl", ["-D", DataDirectory, "stop", "-m", "immediate", "-w"], CancellationToken.None);
        _running = false;
    }

    /// <summary>Whether the server is running: started, and not stopped since.</summary>
    public bool IsRunning => _running;

    /// <summary>Starts the server again on the same port and data, returning once it accepts connections.</summary>
    public Task StartAgainAsync() => StartServerAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        try
        {
            // A start that timed out can leave a postmaster behind without _running set.
            if (_running || File.Exists(PidFile))
            {
                await StopAsync();
            }
        }
        catch (Exception)
        {
            // Disposal must not hide the test's own failure, nor leave a server running on deleted files.
            KillPostmaster();
        }

        NpgsqlConnection.ClearAllPools();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (Exception)
        {
            // left for the OS to clean up with the temp folder
        }
    }

    private async Task StartServerAsync(CancellationToken ct)
    {
        try
        {
            await RunPostgresAsync(
                "pg_ctl",
                [
                    "-D", DataDirectory, "-l", LogFile, "-w", "-t", "30",
                    "-o", $"-p {Port} -c listen_addresses=127.0.0.1{(_extraAddress is null ? "" : "," + _extraAddress)} -k {SocketDirectory} -c fsync=on",
                    "start",
                ],
                ct);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"PostgreSQL did not start on port {Port}.\n--- server log (tail) ---\n{LogTail()}", e);
        }

        _running = true;
    }

    private void KillPostmaster()
    {
        try
        {
            // The first line of postmaster.pid is the postmaster's pid; its backends exit when it dies.
            var pid = int.Parse(File.ReadLines(PidFile).First(), CultureInfo.InvariantCulture);
            using var postmaster = Process.GetProcessById(pid);
            postmaster.Kill(entireProcessTree: true);
        }
        catch (Exception)
        {
            // not running, or already gone
        }
    }

    private string LogTail()
    {
        try
        {
            return string.Join('\n', File.ReadLines(LogFile).TakeLast(40));
        }
        catch (IOException e)
        {
            return "(no log: " + e.Message + ")";
        }
    }

    private static void CreateTraversableDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("PostgresServer runs Debian's PostgreSQL binaries.");
        }

        // The postgres user has to reach data/ and sock/ through this folder even under a strict umask.
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static Task RunPostgresAsync(string binary, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var path = Path.Combine(BinDirectory, binary);
        return IsRoot
            ? RunAsync("runuser", ["-u", ServiceUser, "--", path, .. arguments], ct)
            : RunAsync(path, arguments, ct);
    }

    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var commandLine = fileName + " " + string.Join(' ', arguments);
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start " + commandLine);
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            ct.ThrowIfCancellationRequested();
            throw new InvalidOperationException($"{commandLine} did not finish within {CommandTimeout.TotalSeconds} s.");
        }

        var output = await stdout + await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{commandLine} exited with {process.ExitCode}:\n{output}");
        }
    }
}
