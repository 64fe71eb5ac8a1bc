using System.Globalization;
using System.Text;
using System.Text.Json;
using ActorQuotes.Bench.LoadGen.Workloads;

namespace ActorQuotes.Bench.LoadGen.Reporting;

/// <summary>Writes a run as JSON, as the Markdown table docs/benchmarks.md shows, and as a PNG chart.</summary>
public static class Report
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PreferredObjectCreationHandling = System.Text.Json.Serialization.JsonObjectCreationHandling.Populate,
    };

    /// <summary>Reads a run written by <see cref="Write"/> (to draw its table and chart again).</summary>
    public static RunResult Read(string path) =>
        JsonSerializer.Deserialize<RunResult>(File.ReadAllText(path), Json) ?? throw new InvalidDataException(path + " holds no run");

    /// <summary>Writes the Markdown and PNG of a saved run beside its JSON.</summary>
    public static void Redraw(string jsonPath)
    {
        var run = Read(jsonPath);
        var stem = Path.ChangeExtension(jsonPath, null);
        File.WriteAllText(stem + ".md", Markdown(run));
        File.WriteAllBytes(stem + ".png", Chart.Render(run));
    }
    private static readonly string[] Servers = ["B0", "SUT", "B1"];

    public static (string Json, string Markdown, string Png) Write(RunResult run, string directory)
    {
        Directory.CreateDirectory(directory);
        var stem = Path.Combine(directory, "run-" + run.StartedUtc.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + (run.Quick ? "-quick" : string.Empty));
        File.WriteAllText(stem + ".json", JsonSerializer.Serialize(run, Json));
        File.WriteAllText(stem + ".md", Markdown(run));
        File.WriteAllBytes(stem + ".png", Chart.Render(run));
        return (stem + ".json", stem + ".md", stem + ".png");
    }

    public static string Markdown(RunResult run)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Run {run.StartedUtc:yyyy-MM-dd HH:mm} UTC{(run.Quick ? " (--quick: smaller sizes, shorter windows)" : string.Empty)}, {run.DurationSeconds / 60:F1} min; {run.Machine}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"`{run.Command}`");
        md.AppendLine();
        md.AppendLine("| workload | figure | B0 (Kestrel) | SUT (ActorQuotes) | B1 (SignalR) | SUT vs B0 | SUT vs B1 | target | met |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |");

        var w1 = Row(run, "W1", r => r.SaturationUpdatesPerSecond);
        if (w1.Any(v => v is not null))
        {
            var s = w1[1];
            Line(md, "W1 broadcast", "saturation, updates/s delivered", w1, F0,
                Ratio(s, w1[0]), Ratio(s, w1[2]), "≥ 0.8 × B0, ≥ 1.5 × B1",
                Met(s >= 0.8 * w1[0] && s >= 1.5 * w1[2]));
            var ticks = Row(run, "W1", r => r.SaturationTicksPerSecond);
            Line(md, "", "saturation, ticks/s offered", ticks, F1, Ratio(ticks[1], ticks[0]), Ratio(ticks[1], ticks[2]), "", "");
            var d = Row(run, "W1", r => r.DeliverySaturationUpdatesPerSecond);
            Line(md, "", "delivery saturation (ratio ≥ 0.99, no p99 bound), updates/s", d, F0,
                Ratio(d[1], d[0]), Ratio(d[1], d[2]), "(same)", Met(d[1] >= 0.8 * d[0] && d[1] >= 1.5 * d[2]));
            var half = Servers.Select(sv => run.Find("W1", sv)?.HalfLoad).ToArray();
            var rate = half.FirstOrDefault(h => h is not null)?.TargetTicksPerSecond;
            var p50 = half.Select(h => h?.Latency.P50Ms).ToArray();
            var p99 = half.Select(h => h?.Latency.P99Ms).ToArray();
            Line(md, "", $"p50 ms at {rate:F1} ticks/s (½ B0 sat.), the median-p99 window of each server's", p50, F2, Diff(p50[1], p50[0]), Diff(p50[1], p50[2]), "SUT ≤ B0 + 1 ms",
                Met(p50[1] <= p50[0] + 1));
            Line(md, "", "p99 ms (same window)", p99, F2, Ratio(p99[1], p99[0]), Ratio(p99[1], p99[2]), "SUT ≤ 2 × B0 and ≤ 25 ms",
                Met(p99[1] <= 2 * p99[0] && p99[1] <= 25));
            Line(md, "", "p99 ms of every half-load window", Servers.Select(sv => (string?)P99Range(run.Find("W1", sv))).ToArray(), "", "", "", "");
            Line(md, "", "p99.9 / max ms", half.Select(h => h is null ? null : $"{h.Latency.P999Ms:F1} / {h.Latency.MaxMs:F1}").ToArray(), "", "", "", "");
            Line(md, "", "server CPU % (same window)", half.Select(h => h?.ServerCpuPercent).ToArray(), F0,
                Ratio(half[1]?.ServerCpuPercent, half[0]?.ServerCpuPercent), Ratio(half[1]?.ServerCpuPercent, half[2]?.ServerCpuPercent), "", "");
            CostRows(md, run, "W1");
        }

        var w2 = Row(run, "W2", r => r.SaturationUpdatesPerSecond);
        if (w2.Any(v => v is not null))
        {
            Line(md, "W2 selective", "saturation, updates/s delivered", w2, F0, Ratio(w2[1], w2[0]), Ratio(w2[1], w2[2]), "≥ 0.7 × B0",
                Met(w2[1] >= 0.7 * w2[0]));
            var d2 = Row(run, "W2", r => r.DeliverySaturationUpdatesPerSecond);
            Line(md, "", "delivery saturation (ratio ≥ 0.99, no p99 bound), updates/s", d2, F0, Ratio(d2[1], d2[0]), Ratio(d2[1], d2[2]), "(same)",
                Met(d2[1] >= 0.7 * d2[0]));
            CostRows(md, run, "W2");
        }

        var w3 = Row(run, "W3", r => r.RssPerSocketBytes / 1024);
        if (w3.Any(v => v is not null))
        {
            Line(md, "W3 idle", "RSS KiB per idle socket", w3, F1, Ratio(w3[1], w3[0]), Ratio(w3[1], w3[2]), "≤ 1.25 × B0 and ≤ 24 KiB",
                Met(w3[1] <= 1.25 * w3[0] && w3[1] <= 24));
        }

        var w4 = Servers.Select(sv => run.Find("W4", sv)).ToArray();
        if (w4.Any(v => v is not null))
        {
            var growth = w4.Select(r => r?.WithStalled is { } w && r.AllReading is { } a && a.Latency.P99Ms > 0 ? w.Latency.P99Ms / a.Latency.P99Ms : (double?)null).ToArray();
            Line(md, "W4 slow consumers", "readers' p99 ms, all reading", w4.Select(r => r?.AllReading?.Latency.P99Ms).ToArray(), F2, "", "", "", "");
            Line(md, "", "readers' p99 ms, 1 % stalled", w4.Select(r => r?.WithStalled?.Latency.P99Ms).ToArray(), F2, "", "", "", "");
            Line(md, "", "p99 stalled / all reading", growth, F2, "", "", "SUT ≤ 1.2", Met(growth[1] <= 1.2));
            Line(md, "", "delivered/offered, stalled", w4.Select(r => r?.WithStalled?.DeliveryRatio).ToArray(), F3, "", "", "", "");
            Line(md, "", "server RSS MiB: all reading → stalled (max)", w4.Select(r => r?.AllReading is { } a && r.WithStalled is { } w
                ? $"{a.ServerRssBytes / 1048576.0:F0} → {w.ServerMaxRssBytes / 1048576.0:F0}" : null).ToArray(), "", "", "bounded",
                w4[1]?.AllReading is { } sa && w4[1]?.WithStalled is { } sw ? Met(sw.ServerMaxRssBytes < sa.ServerRssBytes * 1.5) : "");
        }

        var single = run.Find("W5", "SUT-1node") ?? run.Find("W1", "SUT");
        var first = true;
        foreach (var (name, where) in new[]
                 {
                     (Runner.SharedCoreCluster, "both nodes on the single node's core"),
                     (Runner.SplitCluster, "tickers node on the generator's core"),
                 })
        {
            if (run.Find("W5", name) is not { } w5)
            {
                continue;
            }

            var ratio = w5.DeliverySaturationUpdatesPerSecond / single?.DeliverySaturationUpdatesPerSecond;
            var added = w5.HalfLoad?.Latency.P99Ms - single?.HalfLoad?.Latency.P99Ms;
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {(first ? "W5 cluster" : "")} | {name} ({where}): delivery saturation, updates/s (single node, same turns) | | {N(w5.DeliverySaturationUpdatesPerSecond, "F0")} ({N(single?.DeliverySaturationUpdatesPerSecond, "F0")}) | | {N(ratio, "F2")} × single | | ≥ 0.9 × single | {Met(ratio >= 0.9)} |");
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| | {name}: p99 ms at ½ single-node sat., median window (single node) | | {N(w5.HalfLoad?.Latency.P99Ms, "F2")} ({N(single?.HalfLoad?.Latency.P99Ms, "F2")}) | | {Diff(w5.HalfLoad?.Latency.P99Ms, single?.HalfLoad?.Latency.P99Ms)} | | added ≤ 2 ms | {Met(added <= 2)} |");
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| | {name}: p50 ms, same windows (single node) | | {N(w5.HalfLoad?.Latency.P50Ms, "F2")} ({N(single?.HalfLoad?.Latency.P50Ms, "F2")}) | | {Diff(w5.HalfLoad?.Latency.P50Ms, single?.HalfLoad?.Latency.P50Ms)} | | | |");
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| | {name}: p99 ms of every half-load window (single node's) | | {P99Range(w5)} ({P99Range(single)}) | | | | | |");
            foreach (var note in w5.Notes)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| | note | | {note} | | | | | |");
            }

            first = false;
        }

        md.AppendLine();
        md.AppendLine("Every window:");
        md.AppendLine();
        md.AppendLine("| workload | server | phase | ticks/s offered | accepted | updates/s offered | delivered | ratio | p50 ms | p99 ms | p99.9 ms | max ms | server CPU % | µs/update | other servers' CPU % | generator CPU % | RSS MiB | threads | pass (≥0.99, p99<100) | delivered ≥ 0.99 |");
        md.AppendLine("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |");
        foreach (var result in run.Results)
        {
            foreach (var s in result.Steps)
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {result.Workload} | {result.Server} | {s.Phase} | {s.TargetTicksPerSecond:F1} | {s.AcceptedTicksPerSecond:F1} | {s.OfferedUpdatesPerSecond:F0} | {s.DeliveredUpdatesPerSecond:F0} | {s.DeliveryRatio:F3} | {s.Latency.P50Ms:F2} | {s.Latency.P99Ms:F2} | {s.Latency.P999Ms:F2} | {s.Latency.MaxMs:F1} | {s.ServerCpuPercent:F0} | {s.CpuMicrosPerUpdate:F2} | {s.NeighboursCpuPercent:F0} | {s.GeneratorCpuPercent:F0} | {s.ServerRssBytes / 1048576.0:F0} | {s.ServerThreads} | {(s.Passed ? "yes" : "no")} | {(s.Delivered ? "yes" : "no")} |");
            }

            foreach (var note in result.Notes)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {result.Workload} | {result.Server} | note: {note} | | | | | | | | | | | | | | | | | |");
            }
        }

        return md.ToString();
    }

    /// <summary>
    /// Server CPU per delivered update at the busiest passing window, and the updates/s one whole core
    /// would deliver at that cost: figures that other tenants of a shared machine hardly move.
    /// </summary>
    private static void CostRows(StringBuilder md, RunResult run, string workload)
    {
        var busiest = Servers.Select(sv => run.Find(workload, sv)?.Steps.Where(st => st.Delivered && st.DeliveredUpdatesPerSecond > 0)
            .MaxBy(st => st.DeliveredUpdatesPerSecond)).ToArray();
        var cost = busiest.Select(b => b?.CpuMicrosPerUpdate).ToArray();
        var capacity = busiest.Select(b => b?.UpdatesPerCoreSecond).ToArray();
        Line(md, "", "server CPU µs per update (busiest window with ratio ≥ 0.99)", cost, F2, Ratio(cost[1], cost[0]), Ratio(cost[1], cost[2]), "", "");
        Line(md, "", "updates/s per server core at that cost", capacity, F0, Ratio(capacity[1], capacity[0]), Ratio(capacity[1], capacity[2]),
            workload == "W1" ? "≥ 0.8 × B0, ≥ 1.5 × B1" : "≥ 0.7 × B0",
            Met(workload == "W1" ? capacity[1] >= 0.8 * capacity[0] && capacity[1] >= 1.5 * capacity[2] : capacity[1] >= 0.7 * capacity[0]));
    }

    private static double?[] Row(RunResult run, string workload, Func<WorkloadResult, double?> pick) =>
        Servers.Select(s => run.Find(workload, s) is { } r ? pick(r) : null).ToArray();

    private static void Line<T>(StringBuilder md, string workload, string figure, T[] values, Func<T, string> format, string vsB0, string vsB1, string target, string met) =>
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| {workload} | {figure} | {format(values[0])} | {format(values[1])} | {format(values[2])} | {vsB0} | {vsB1} | {target} | {met} |");

    private static void Line(StringBuilder md, string workload, string figure, string?[] values, string vsB0, string vsB1, string target, string met) =>
        Line(md, workload, figure, values, v => v ?? "–", vsB0, vsB1, target, met);

    private static void Line(StringBuilder md, string workload, string figure, double?[] values, string digits, string vsB0, string vsB1, string target, string met) =>
        Line(md, workload, figure, values, v => v is null ? "–" : v.Value.ToString(digits, CultureInfo.InvariantCulture), vsB0, vsB1, target, met);

    private static string F0 => "F0";

    private static string F1 => "F1";

    private static string F2 => "F2";

    private static string F3 => "F3";

    private static string N(double? v, string format) => v is null ? "–" : v.Value.ToString(format, CultureInfo.InvariantCulture);

    private static string Ratio(double? a, double? b) => a is null || b is null || b == 0 ? "–" : (a / b).Value.ToString("F2", CultureInfo.InvariantCulture) + " ×";

    private static string Diff(double? a, double? b) => a is null || b is null ? "–" : ((a - b).Value >= 0 ? "+" : "") + (a - b).Value.ToString("F2", CultureInfo.InvariantCulture) + " ms";

    /// <summary>The p99s of a result's half-load windows (W1 and W5 measure several), lowest to highest.</summary>
    private static string P99Range(WorkloadResult? result) =>
        result?.HalfLoad is not { } half ? "–"
        : string.Join(", ", result.Steps.Where(s => s.Phase == half.Phase).Select(s => s.Latency.P99Ms).Order()
            .Select(p => p.ToString("F1", CultureInfo.InvariantCulture)));

    private static string Met(bool? met) => met is null ? "–" : met.Value ? "yes" : "**no**";
}
