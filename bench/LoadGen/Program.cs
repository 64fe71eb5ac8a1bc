using System.Diagnostics;
using System.Globalization;
using ActorQuotes.Bench.LoadGen.Reporting;
using ActorQuotes.Bench.LoadGen.Servers;
using ActorQuotes.Bench.LoadGen.Workloads;

// The ActorQuotes benchmark: B0 (raw Kestrel), the SUT (ActorQuotes) and B1 (SignalR), side by side.
//   LoadGen [W1 W2 W3 W4 W5 | all] [--quick] [--servers B0,SUT,B1] [--bin DIR] [--out DIR]
//           [--server-cpus 0] [--generator-cpus 1] [--postgres CONNECTION_STRING]
if (args is ["--redraw", var saved])
{
    Report.Redraw(saved);
    return 0;
}

var options = Args.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: LoadGen [all|W1..W5 ...] [--quick] [--servers B0,SUT,B1] [--bin DIR] [--out DIR] " +
                            "[--server-cpus LIST] [--generator-cpus LIST] [--postgres CONNECTION_STRING] [--hold TICKS_PER_S] [--hold-for SECONDS] " +
                            "[--sut-env NAME=VALUE ...] [--baseline-env NAME=VALUE ...]");
    return 2;
}

if (options.GeneratorCpus is { } generatorCpus && File.Exists("/usr/bin/taskset"))
{
    // All threads of this process, present and future (-a), onto the generator's cores.
    var pinning = new ProcessStartInfo("/usr/bin/taskset") { RedirectStandardOutput = true };
    foreach (var argument in new[] { "-a", "-p", "-c", generatorCpus, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) })
    {
        pinning.ArgumentList.Add(argument);
    }

    using var pin = Process.Start(pinning)!;
    await pin.StandardOutput.ReadToEndAsync();
    await pin.WaitForExitAsync();
}

// Thousands of sockets connect at once; do not let the thread pool start too small for them.
ThreadPool.SetMinThreads(Math.Max(8, Environment.ProcessorCount * 2), 8);

var started = DateTime.UtcNow;
var watch = Stopwatch.StartNew();
var run = new RunResult
{
    StartedUtc = started,
    Command = options.Command,
    Machine = Machine.Describe(options),
    Quick = options.Quick,
};
var profile = options.Quick ? Profile.Quick : Profile.Full;
var csv = BenchCatalog.WriteCsv(Path.Combine(Path.GetTempPath(), $"aq-bench-companies-{Environment.ProcessId}.csv"), profile.W2Symbols);
var settings = new ServerSettings { BinDirectory = options.BinDirectory, CatalogCsv = csv, ServerCpus = options.ServerCpus, GeneratorCpus = options.GeneratorCpus, SutEnvironment = options.SutEnvironment, BaselineEnvironment = options.BaselineEnvironment };
var runner = new Runner(settings, profile, line => Console.WriteLine($"[{watch.Elapsed:mm\\:ss}] {line}")) { HoldTicksPerSecond = options.Hold, HoldFor = options.HoldFor is { } seconds ? TimeSpan.FromSeconds(seconds) : Runner.DefaultHoldFor };
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true; // stop the workloads, stop the servers, still write what was measured
    stop.Cancel();
});

var status = 0;
try
{
    await runner.RunAsync(run, options.Workloads, options.Servers,
        options.Postgres is { } pg ? _ => Task.FromResult(pg) : null, stop.Token);
}
catch (Exception e)
{
    Console.Error.WriteLine("benchmark failed: " + e);
    status = 1;
}
finally
{
    File.Delete(csv);
}

run.DurationSeconds = watch.Elapsed.TotalSeconds;
var (json, markdown, png) = Report.Write(run, options.ResultsDirectory);
Console.WriteLine(Report.Markdown(run));
Console.WriteLine($"wrote {json}, {markdown}, {png}");
return status;

/// <summary>The command line.</summary>
internal sealed record Args(
    bool Quick, IReadOnlyCollection<string> Workloads, IReadOnlyList<ServerKind> Servers, string BinDirectory, string ResultsDirectory,
    string? ServerCpus, string? GeneratorCpus, string? Postgres, string Command, double? Hold, double? HoldFor,
    IReadOnlyDictionary<string, string> SutEnvironment, IReadOnlyDictionary<string, string> BaselineEnvironment)
{
    private static readonly string[] AllWorkloads = ["W1", "W2", "W3", "W4", "W5"];

    public static Args? Parse(string[] args)
    {
        var repo = FindRepoRoot();
        var quick = false;
        var workloads = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var servers = new List<ServerKind> { ServerKind.B0, ServerKind.Sut, ServerKind.B1 };
        var bin = Path.Combine(repo, "bench", ".out");
        var results = Path.Combine(repo, "bench", "results");
        string? serverCpus = Environment.ProcessorCount > 1 ? "0" : null;
        string? generatorCpus = Environment.ProcessorCount > 1 ? "1" : null;
        string? postgres = null;
        double? hold = null;
        double? holdFor = null;
        var sutEnvironment = new Dictionary<string, string>(StringComparer.Ordinal);
        var baselineEnvironment = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException(arg + " needs a value");
            switch (arg)
            {
                case "--quick": quick = true; break;
                case "--servers":
                    servers = Next().Split(',').Select(s => s.Trim().ToUpperInvariant() switch
                    {
                        "B0" => ServerKind.B0,
                        "B1" => ServerKind.B1,
                        "SUT" => ServerKind.Sut,
                        var other => throw new ArgumentException("unknown server " + other),
                    }).ToList();
                    break;
                case "--bin": bin = Path.GetFullPath(Next()); break;
                case "--out": results = Path.GetFullPath(Next()); break;
                case "--server-cpus": serverCpus = Next(); break;
                case "--generator-cpus": generatorCpus = Next(); break;
                case "--no-pin": serverCpus = generatorCpus = null; break;
                case "--postgres": postgres = Next(); break;
                case "--hold": hold = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--hold-for": holdFor = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--sut-env": AddPair(sutEnvironment, arg, Next()); break;
                case "--baseline-env": AddPair(baselineEnvironment, arg, Next()); break;
                case "all": workloads.UnionWith(AllWorkloads); break;
                default:
                    if (!AllWorkloads.Contains(arg.ToUpperInvariant()))
                    {
                        return null;
                    }

                    workloads.Add(arg.ToUpperInvariant());
                    break;
            }
        }

        if (workloads.Count == 0)
        {
            workloads.UnionWith(AllWorkloads);
        }

        var command = "bench/run.sh " + string.Join(' ', args.Where(a => a != "--postgres" && !a.Contains("Host=", StringComparison.Ordinal)));
        return new Args(quick, workloads.Select(w => w.ToUpperInvariant()).ToHashSet(), servers, bin, results, serverCpus, generatorCpus, postgres, command.Trim(), hold, holdFor, sutEnvironment,
            baselineEnvironment);
    }

    private static void AddPair(Dictionary<string, string> environment, string option, string value)
    {
        var pair = value.Split('=', 2);
        if (pair.Length != 2 || pair[0].Length == 0)
        {
            throw new ArgumentException(option + " takes NAME=VALUE");
        }

        environment[pair[0]] = pair[1];
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ActorQuotes.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}

/// <summary>One line about the machine for the report.</summary>
internal static class Machine
{
    public static string Describe(Args options)
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").First().Split(':', 2)[1].Trim()
            : null;
        return $"{Environment.ProcessorCount} CPUs ({cpu ?? "unknown"}), {memory ?? "? kB"} RAM, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, " +
               $".NET {Environment.Version}; servers on CPU {options.ServerCpus ?? "any"}, generator on CPU {options.GeneratorCpus ?? "any"}";
    }
}
