using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ActorQuotes.Bench.LoadGen.Servers;

/// <summary>The three servers under comparison.</summary>
public enum ServerKind
{
    /// <summary>B0: raw Kestrel WebSocket broadcaster.</summary>
    B0,

    /// <summary>B1: ASP.NET Core SignalR hub.</summary>
    B1,

    /// <summary>ActorQuotes.</summary>
    Sut,
}

/// <summary>
/// One server as its own OS process (<c>dotnet X.dll</c>), pinned with <c>taskset</c> to the given cores,
/// on a free loopback port, with its data in a temp folder. Reads its CPU seconds and RSS from /proc.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly double ClockTicksPerSecond = 100; // USER_HZ on Linux
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    static ServerProcess()
    {
        // Ctrl+C or SIGTERM to the generator must not leave servers behind.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Running.Values)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                }
            }
        };
    }

    private const int SigCont = 18; // Linux x86-64 and arm64
    private const int SigStop = 19;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly StreamWriter? _log;
    private bool _logClosed;

    /// <summary>When set, a folder where every server's output is written too, a file per process.</summary>
    public const string LogsVariable = "AQ_BENCH_SERVER_LOGS";

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private bool Signal(int signal) => OperatingSystem.IsLinux() && !_process.HasExited && Kill(_process.Id, signal) == 0;

    private ServerProcess(Process process, int port, string dataDirectory, string name)
    {
        _process = process;
        Port = port;
        DataDirectory = dataDirectory;

        // For tracing a stall to what the servers said at that moment: every line, stamped with the wall clock.
        if (Environment.GetEnvironmentVariable(LogsVariable) is { Length: > 0 } logs)
        {
            Directory.CreateDirectory(logs);
            _log = new StreamWriter(Path.Combine(logs, $"{name}-{process.Id}.log")) { AutoFlush = true };
        }

        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public int Pid => _process.Id;

    public string DataDirectory { get; }

    public IPEndPoint Endpoint => new(IPAddress.Loopback, Port);

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the process wrote, for error messages.</summary>
    public string Tail => string.Join('\n', _output.TakeLast(30));

    /// <summary>Whether <see cref="Pause"/> stopped the process (SIGSTOP) and it has not been resumed.</summary>
    public bool Paused { get; private set; }

    /// <summary>
    /// Stops the process (SIGSTOP) so that it takes no CPU while another server is measured on its core; its
    /// sockets stay open. No effect where there are no POSIX signals.
    /// </summary>
    public void Pause() => Paused = Signal(SigStop) || Paused;

    /// <summary>Lets a paused process run again (SIGCONT).</summary>
    public void Resume()
    {
        if (Paused && Signal(SigCont))
        {
            Paused = false;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts <paramref name="dll"/> with <paramref name="arguments"/> and waits until it answers HTTP.</summary>
    public static async Task<ServerProcess> StartAsync(string dll, IEnumerable<string> arguments, string? cpuList, int port,
        string dataDirectory, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"server not built: {dll} (run bench/run.sh, which publishes it)", dll);
        }

        var useTaskset = cpuList is not null && File.Exists("/usr/bin/taskset");
        var start = new ProcessStartInfo(useTaskset ? "/usr/bin/taskset" : DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (useTaskset)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(cpuList!);
            start.ArgumentList.Add(DotnetHost());
        }

        start.ArgumentList.Add(dll);
        start.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + dll);
        Running[process.Id] = process;
        var server = new ServerProcess(process, port, dataDirectory, Path.GetFileNameWithoutExtension(dll));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Path.GetFileName(dll)} exited with {process.ExitCode}:\n{server.Tail}");
            }

            try
            {
                // Every server answers a plain GET on its feed endpoint with 400 (WebSocket required) once it listens.
                using var response = await http.GetAsync(new Uri(server.BaseAddress, "/api/v1/ws/feed"), cancellationToken);
                return server;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, cancellationToken);
            }
            catch (TaskCanceledException) when (DateTime.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>User + system CPU seconds the process has used so far (/proc/&lt;pid&gt;/stat).</summary>
    public double CpuSeconds() => ReadCpuSeconds(Pid);

    /// <summary>Resident set size in bytes (/proc/&lt;pid&gt;/status VmRSS).</summary>
    public long RssBytes() => ReadRssBytes(Pid);

    public static double ReadCpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return ParseCpuSeconds(stat);
    }

    /// <summary>utime + stime (fields 14 and 15) of a /proc/&lt;pid&gt;/stat line, in seconds.</summary>
    public static double ParseCpuSeconds(string stat)
    {
        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (utime + stime) / ClockTicksPerSecond;
    }

    /// <summary>The process's threads now (/proc/&lt;pid&gt;/status Threads).</summary>
    public int Threads() => (int)ParseStatusField(File.ReadAllText($"/proc/{Pid}/status"), "Threads:");

    public static long ReadRssBytes(int pid) => ParseRssBytes(File.ReadAllText($"/proc/{pid}/status"));

    public static long ParseRssBytes(string status) => ParseStatusField(status, "VmRSS:") * 1024;

    /// <summary>The number after <paramref name="field"/> in /proc/&lt;pid&gt;/status (units dropped), or 0.</summary>
    public static long ParseStatusField(string status, string field)
    {
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var value = line[field.Length..].Trim().Split(' ')[0];
                return long.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        Running.TryRemove(_process.Id, out _);
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _process.Dispose();
        if (_log is not null)
        {
            lock (_log)
            {
                _logClosed = true;
                _log.Dispose();
            }
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string DotnetHost() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        if (_log is not null)
        {
            lock (_log)
            {
                if (!_logClosed)
                {
                    _log.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
                }
            }
        }

        while (_output.Count > 200)
        {
            _output.TryDequeue(out _);
        }
    }
}
