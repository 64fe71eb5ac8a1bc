using System.Net;
using System.Net.Sockets;
using ActorQuotes.Gateway.Tests.Infrastructure;

namespace ActorQuotes.Gateway.Tests;

/// <summary>
/// A node started with storage settings it cannot use, as its own process: a bad data folder or a connection
/// string the driver cannot read exits 2 with one line naming the setting; a valid database that does not
/// answer is not a configuration error, and that node runs on, not ready.
/// </summary>
public sealed class StorageStartupTests
{
    /// <summary>A refused start takes a few seconds; this only bounds a node that wrongly keeps running.</summary>
    private static readonly TimeSpan ExitWithin = TimeSpan.FromSeconds(60);

    [Fact(DisplayName = "A data folder that is a file is refused at start: exit 2, naming Storage:DataDirectory, no stack trace")]
    public async Task Data_folder_that_is_a_file()
    {
        var file = Path.Combine(Path.GetTempPath(), "aq-not-a-folder-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(file, "not a folder");
        try
        {
            var exit = await GatewayProcess.RunToExitAsync(file, new Dictionary<string, string>(), ExitWithin);

            AssertRefused(exit, $"ActorQuotes cannot start: Storage:DataDirectory {file} is a file, not a folder");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact(DisplayName = "A data folder below a file cannot be created and is refused at start: exit 2, naming Storage:DataDirectory")]
    public async Task Data_folder_below_a_file()
    {
        var file = Path.Combine(Path.GetTempPath(), "aq-not-a-folder-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(file, "not a folder");
        try
        {
            var exit = await GatewayProcess.RunToExitAsync(Path.Combine(file, "data"), new Dictionary<string, string>(), ExitWithin);

            AssertRefused(exit, $"ActorQuotes cannot start: Storage:DataDirectory {file}/data cannot be written");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact(DisplayName = "A read-only data folder is refused at start as unwritable, not as a second node: exit 2, naming Storage:DataDirectory")]
    public async Task Read_only_data_folder()
    {
        // Root writes through any permission bits, so the folder is a read-only mount (which needs root).
        await using var readOnly = await TmpfsMount.CreateAsync("1m", "ro");

        var exit = await GatewayProcess.RunToExitAsync(readOnly.Path, new Dictionary<string, string>(), ExitWithin);

        AssertRefused(exit, $"ActorQuotes cannot start: Storage:DataDirectory {readOnly.Path} cannot be written (Read-only file system");
        Assert.DoesNotContain("Another ActorQuotes node", exit.Stderr, StringComparison.Ordinal);
    }

    [Theory(DisplayName = "A PostgreSQL connection string Npgsql cannot read is refused at start: exit 2, naming Storage:ConnectionString")]
    [InlineData("garbage", "is not a valid PostgreSQL (Npgsql) connection string: Format of the initialization string")]
    [InlineData("Username=aq;Database=actorquotes", "is not a valid PostgreSQL (Npgsql) connection string: Value cannot be null. (Parameter 'Host')")]
    [InlineData("Host=127.0.0.1;Bogus Key=1", "is not a valid PostgreSQL (Npgsql) connection string: Couldn't set bogus key")]
    [InlineData("Host=127.0.0.1;Port=notanumber", "is not a valid PostgreSQL (Npgsql) connection string: Couldn't set port")]
    [InlineData("Host=127.0.0.1;Port=70000", "has Port=70000; a port is 1 to 65535.")]
    public async Task Malformed_postgresql_connection_string(string connectionString, string expected)
    {
        var exit = await GatewayProcess.RunToExitAsync(TempDirectory(), new Dictionary<string, string>
        {
            ["Storage:Provider"] = "postgresql",
            ["Storage:ConnectionString"] = connectionString,
        }, ExitWithin);

        AssertRefused(exit, "ActorQuotes cannot start: Storage:ConnectionString " + expected);
    }

    [Fact(DisplayName = "A SQLite connection string Microsoft.Data.Sqlite cannot read is refused at start: exit 2, naming Storage:ConnectionString")]
    public async Task Malformed_sqlite_connection_string()
    {
        var exit = await GatewayProcess.RunToExitAsync(TempDirectory(), new Dictionary<string, string>
        {
            ["Storage:ConnectionString"] = "Data Source=x.db;Mode=Sideways",
        }, ExitWithin);

        AssertRefused(exit, "ActorQuotes cannot start: Storage:ConnectionString is not a valid SQLite connection string");
    }

    [Fact(DisplayName = "A valid PostgreSQL connection string to a database that does not answer is no configuration error: the node runs, live but not ready (503, never 500)")]
    public async Task Unreachable_postgresql_keeps_running()
    {
        await using var node = await GatewayProcess.StartAsync(TempDirectory(), new Dictionary<string, string>
        {
            ["Storage:Provider"] = "postgresql",
            ["Storage:ConnectionString"] = $"Host=127.0.0.1;Port={ClosedPort()};Database=actorquotes;Username=aq;Timeout=1",
            ["Feeds:Simulated:Enabled"] = "false",
        }, waitReady: false);

        // Its first journal recovery has failed: the node knows the database does not answer, and says so.
        await node.WaitForLineAsync(line => line.Contains("Journal warm-up: recovery attempt 1 failed", StringComparison.Ordinal))
            .WaitAsync(TimeSpan.FromSeconds(60));
        var ready = await node.Http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", (await ready.ReadJson())["checks"]!["journal"]!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await node.Http.GetAsync("/health/live")).StatusCode);
        Assert.False(node.HasExited, node.Output);
    }

    private static void AssertRefused(GatewayExit exit, string expected)
    {
        var output = $"stdout:\n{exit.Stdout}\nstderr:\n{exit.Stderr}";
        Assert.True(exit.ExitCode == 2, $"exit code {exit.ExitCode}\n{output}");
        Assert.StartsWith(expected, exit.Stderr, StringComparison.Ordinal);
        // One line that says what to change: no stack trace, no unhandled-exception report, on either stream.
        Assert.Single(exit.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?m)^\s+at \S", output);
    }

    /// <summary>A loopback port nothing listens on: taken from the OS and released again.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string TempDirectory() => Path.Combine(Path.GetTempPath(), "aq-storage-" + Guid.NewGuid().ToString("N"));
}
