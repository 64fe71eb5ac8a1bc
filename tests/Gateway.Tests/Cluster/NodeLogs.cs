using System.Globalization;

namespace ActorQuotes.Gateway.Tests.Cluster;

/// <summary>
/// Keeps what the node processes of a failed cluster test printed (every incarnation, the restarted victims' earlier
/// ones too) in a folder that outlives the fixture, and names the lines that explain a lost, refused or duplicated
/// write or a node that stopped serving, so a failure seen once can be read afterwards.
/// </summary>
public static class NodeLogs
{
    /// <summary>Words of the log lines that explain a lost, refused or duplicated write, or a node that stopped serving.</summary>
    private static readonly string[] Suspicious =
    [
        "replayed event", "failed to persist", "rejected to persist", "duplicate key", "stops serving", "failed to get lease",
        "downing", "quarantined", "indirectly connected", "marking node as unreachable",
    ];

    /// <summary>Writes each incarnation of each node to <c>{tmp}/aq-{label}-logs-{time}/NN-node-k.log</c>; returns the folder.</summary>
    public static async Task<string> KeepAsync(string label, IEnumerable<ClusterNode> nodes, ITestOutputHelper output)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"aq-{label}-logs-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        var index = 0;
        foreach (var node in nodes)
        {
            var outputs = node.EarlierOutputs.Concat(node.Output is { } latest ? [latest] : []).ToList();
            for (var incarnation = 0; incarnation < outputs.Count; incarnation++, index++)
            {
                var name = $"{index:D2}-{node.Name}-{incarnation + 1}";
                await File.WriteAllTextAsync(Path.Combine(folder, name + ".log"), outputs[incarnation]);
                foreach (var line in outputs[incarnation].Split('\n').Where(l => Suspicious.Any(w => l.Contains(w, StringComparison.OrdinalIgnoreCase))).Take(20))
                {
                    output.WriteLine($"  {name}: {line}");
                }
            }
        }

        output.WriteLine($"node logs of this run: {folder}");
        return folder;
    }
}
