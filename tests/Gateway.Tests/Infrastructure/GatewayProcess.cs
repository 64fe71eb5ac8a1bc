using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ActorQuotes.Gateway.Tests.Infrastructure;

/// <summary>
/// The real gateway as its own OS process (<c>dotnet ActorQuotes.Gateway.dll</c>) on a free loopback port,
/// so a test can crash it with SIGKILL or stop it with SIGTERM the way an operator or the kernel would.
/// The data folder belongs to the caller, so a second process can pick up where a killed one left off.
/// A data folder with a <see cref="NetworkPlacement"/> (<see cref="Place"/>) starts its process in that network
/// namespace instead, serving HTTP on the placement's address.
/// </summary>
public sealed partial class GatewayProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(40);

    private readonly Process _process;
    private readonly OutputLines _lines;

    // By full data folder path: TestCluster's ClusterNode starts (and restarts) its process from its data folder
    // and its loopback settings alone, so a fixture that runs such nodes in namespaces registers where they go.
    private static readonly ConcurrentDictionary<string, NetworkPlacement> Placements = new(StringComparer.Ordinal);

    private GatewayProcess(Process process, OutputLines lines, string host, int port)
    {
        _process = process;
        _lines = lines;
        ProcessId = process.Id;
        BaseAddress = new Uri($"http://{host}:{port}");
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public int ProcessId { get; }

    /// <summary>Whether the process has exited (or this handle was already disposed).</summary>
    public bool HasExited
    {
        get
        {
            try
            {
                return _process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    /// <summary>Everything the process wrote to stdout and stderr so far, for failure messages.</summary>
    public string Output => _lines.ToString();

    /// <summary>Completes when the process has written a line that matches (at once if it already has).</summary>
    public Task WaitForLineAsync(Func<string, bool> match) => _lines.WaitFor(match);

    /// <summary>From now on, every process started on <paramref name="dataDirectory"/> runs where <paramref name="placement"/> says.</summary>
    public static void Place(string dataDirectory, NetworkPlacement placement) => Placements[Path.GetFullPath(dataDirectory)] = placement;

    /// <summary>Processes started on <paramref name="dataDirectory"/> run on this host's loopback again.</summary>
    public static void Unplace(string dataDirectory) => Placements.TryRemove(Path.GetFullPath(dataDirectory), out _);

    public static async Task<GatewayProcess> StartAsync(
        string dataDirectory,
        IReadOnlyDictionary<string, string>? settings = null,
        CancellationToken ct = default,
        IReadOnlyDictionary<string, string?>? environment = null,
        bool waitReady = true)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var placement = Placements.GetValueOrDefault(Path.GetFullPath(dataDirectory));
        var startInfo = new ProcessStartInfo(placement is null ? dotnet : "ip")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (placement is not null)
        {
            // ip execs the command after entering the namespace, so the process id is the node's own.
            startInfo.ArgumentList.Add("netns");
            startInfo.ArgumentList.Add("exec");
            startInfo.ArgumentList.Add(placement.Namespace);
            startInfo.ArgumentList.Add(dotnet);
        }

        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ActorQuotes.Gateway.dll"));
        startInfo.ArgumentList.Add($"--urls=http://{placement?.HttpAddress ?? "127.0.0.1"}:0");
        startInfo.ArgumentList.Add("--Storage:DataDirectory=" + dataDirectory);
        var merged = new Dictionary<string, string>(settings ?? new Dictionary<string, string>());
        foreach (var (key, value) in placement?.Settings ?? new Dictionary<string, string>())
        {
            merged[key] = value;
        }

        foreach (var (key, value) in merged)
        {
            startInfo.ArgumentList.Add($"--{key}={value}");
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            // null: the variable is not set in the node, whatever this process has.
            startInfo.Environment[name] = value;
        }

        // Last, so no setting can silence the line the port is read from.
        startInfo.ArgumentList.Add("--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information");

        var lines = new OutputLines();
        var listening = new TaskCompletionSource<(string Host, int Port)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start dotnet.");
        _ = PumpAsync(process.StandardOutput, lines, listening);
        _ = PumpAsync(process.StandardError, lines, listening: null);

        try
        {
            var (host, port) = await listening.Task.WaitAsync(StartTimeout, ct);
            var started = new GatewayProcess(process, lines, host, port);
            if (waitReady)
            {
                await started.WaitReadyAsync(ct);
            }

            return started;
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            KillAndWait(process);
            process.Dispose();
            var reason = e is TimeoutException ? $"did not listen within {StartTimeout.TotalSeconds} s" : "exited before listening";
            throw new InvalidOperationException($"The gateway process {reason}. Output:\n{string.Join('\n', lines)}", e);
        }
        catch (OperationCanceledException)
        {
            KillAndWait(process);
            process.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts the gateway on <paramref name="dataDirectory"/> and waits for it to exit by itself, as a node that
    /// refuses its configuration does; killed (and reported as such) if it is still running after <paramref name="within"/>.
    /// </summary>
    public static async Task<GatewayExit> RunToExitAsync(string dataDirectory, IReadOnlyDictionary<string, string> settings, TimeSpan within)
    {
        var startInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ActorQuotes.Gateway.dll"));
        startInfo.ArgumentList.Add("--urls=http://127.0.0.1:0");
        startInfo.ArgumentList.Add("--Storage:DataDirectory=" + dataDirectory);
        foreach (var (key, value) in settings)
        {
            startInfo.ArgumentList.Add($"--{key}={value}");
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start dotnet.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            KillAndWait(process);
            throw new InvalidOperationException(
                $"The gateway process was still running after {within.TotalSeconds} s. Output:\n{await stdout}\n{await stderr}");
        }

        return new GatewayExit(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Waits for <c>/health/ready</c> as a load balancer would, so a test's first request does not race the node
    /// joining its cluster. A node that is still joining others (a cluster member waiting for its seeds) may
    /// take longer than this; such callers wait again with their own bound.
    /// </summary>
    private Task WaitReadyAsync(CancellationToken ct) =>
        Eventually.TrueWithin(TimeSpan.FromSeconds(30), async () =>
        {
            if (_process.HasExited)
            {
                return true; // nothing to wait for: the caller sees the exit
            }

            using var response = await Http.GetAsync("/health/ready", ct);
            return response.IsSuccessStatusCode;
        });

    /// <summary>SIGKILL to the whole tree, like <c>kill -9</c>: no shutdown hooks, no flushing.</summary>
    public void Kill() => KillAndWait(_process);

    /// <summary>SIGTERM, as systemd or Kubernetes stop a service; killed if it has not exited in time.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        await SignalAsync("-TERM");

        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            KillAndWait(_process);
        }
    }

    /// <summary>SIGSTOP: the process stops dead (no heartbeats, no answers) but keeps its sockets, like a long GC pause or a frozen VM.</summary>
    public Task FreezeAsync() => SignalAsync("-STOP");

    /// <summary>SIGCONT: a frozen process runs on from where it stopped.</summary>
    public Task ThawAsync() => SignalAsync("-CONT");

    /// <summary>Whether the process exits on its own within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task SignalAsync(string signal)
    {
        // .NET cannot send these signals to another process, so ask kill(1) to.
        using var kill = Process.Start("kill", [signal, ProcessId.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            KillAndWait(_process);
        }
        catch (Exception)
        {
            // disposal must not hide the test's own failure
        }

        Http.Dispose();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static void KillAndWait(Process process)
    {
        if (process.HasExited)
        {
            return;
        }

        process.Kill(entireProcessTree: true);
        if (!process.WaitForExit(KillTimeout))
        {
            throw new InvalidOperationException($"Process {process.Id} did not exit within {KillTimeout.TotalSeconds} s of SIGKILL.");
        }
    }

    private static async Task PumpAsync(StreamReader reader, OutputLines lines, TaskCompletionSource<(string Host, int Port)>? listening)
    {
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lines.Add(line);
                if (listening is not null && ListeningLine().Match(line) is { Success: true } match)
                {
                    listening.TrySetResult((match.Groups["host"].Value, int.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture)));
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // the process was disposed while we were still reading
        }

        listening?.TrySetException(new InvalidOperationException("stdout closed"));
    }

    /// <summary>Everything the process wrote, and the tests waiting for a line that has not come yet.</summary>
    private sealed class OutputLines
    {
        private readonly List<string> _lines = [];
        private readonly List<(Func<string, bool> Match, TaskCompletionSource Seen)> _waiting = [];

        public void Add(string line)
        {
            lock (_lines)
            {
                _lines.Add(line);
                foreach (var waiter in _waiting.Where(w => w.Match(line)).ToList())
                {
                    waiter.Seen.TrySetResult();
                    _waiting.Remove(waiter);
                }
            }
        }

        public Task WaitFor(Func<string, bool> match)
        {
            lock (_lines)
            {
                if (_lines.Any(match))
                {
                    return Task.CompletedTask;
                }

                var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Add((match, seen));
                return seen.Task;
            }
        }

        public override string ToString()
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    [GeneratedRegex(@"Now listening on: http://(?<host>\d+\.\d+\.\d+\.\d+):(?<port>\d+)")]
    private static partial Regex ListeningLine();
}

/// <summary>
/// Where a gateway process runs instead of this host's loopback: inside network namespace <see cref="Namespace"/>
/// (started with <c>ip netns exec</c>), serving HTTP on <see cref="HttpAddress"/>, with <see cref="Settings"/>
/// replacing the caller's settings of the same keys (the node's Akka address, its database).
/// </summary>
public sealed record NetworkPlacement(string Namespace, string HttpAddress, IReadOnlyDictionary<string, string> Settings);

/// <summary>How a gateway process that ran to its end exited, and everything it wrote.</summary>
public sealed record GatewayExit(int ExitCode, string Stdout, string Stderr);
