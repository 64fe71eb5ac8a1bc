using System.Globalization;
using System.Text;
using ActorQuotes.Actors.Admin;
using ActorQuotes.Actors.Observability;
using ActorQuotes.Gateway.Admin;
using Akka.Cluster;

namespace ActorQuotes.Gateway.Observability;

/// <summary>
/// <c>GET /metrics</c> on the admin port: this node's metrics in the Prometheus text exposition format
/// (version 0.0.4). Counters come from <see cref="NodeMetrics"/>; gauges (sockets, entities, members) are
/// read from the node when scraped. docs/operations.md lists every series.
/// </summary>
public static class PrometheusExposition
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";
    public const string Prefix = "actorquotes_";

    private static readonly MemberStatus[] Statuses =
        [MemberStatus.Joining, MemberStatus.WeaklyUp, MemberStatus.Up, MemberStatus.Leaving, MemberStatus.Exiting, MemberStatus.Down, MemberStatus.Removed];

    public static async Task Write(HttpContext context, AdminContext admin)
    {
        var system = admin.System;
        var text = new StringBuilder(4096);

        Gauge(text, "sockets_open", "WebSockets open on this node", [(null, admin.Sockets.Total)]);

        var shards = new List<(string? Label, double Value)>();
        var entities = new List<(string? Label, double Value)>();
        foreach (var type in ShardingAdmin.TypeNames(system))
        {
            var (shardCount, entityCount) = await ShardingAdmin.LocalCounts(system, type, context.RequestAborted);
            shards.Add(($"region=\"{Escape(type)}\"", shardCount));
            entities.Add(($"region=\"{Escape(type)}\"", entityCount));
        }

        Gauge(text, "shards", "Shards hosted on this node, per region", shards);
        Gauge(text, "entities", "Entities in memory on this node, per region", entities);

        var state = Cluster.Get(system).State;
        Gauge(text, "cluster_members", "Cluster members by status, as this node sees them",
            Statuses.Select(s => ((string?)$"status=\"{ClusterEventsForwarder.StatusName(s)}\"", (double)state.Members.Count(m => m.Status == s))).ToList());
        Gauge(text, "cluster_unreachable_members", "Members this node cannot reach", [(null, state.Unreachable.Count)]);

        var snapshot = NodeMetrics.Get(system).Snapshot();
        foreach (var counter in snapshot.Counters)
        {
            var name = MetricName(counter.Name, counter.Unit) + "_total";
            text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(counter.Description)).Append('\n');
            text.Append("# TYPE ").Append(name).Append(" counter\n");
            foreach (var value in counter.Values)
            {
                text.Append(name);
                if (value.LabelName is not null)
                {
                    text.Append('{').Append(value.LabelName).Append("=\"").Append(Escape(value.LabelValue ?? string.Empty)).Append("\"}");
                }

                text.Append(' ').Append(value.Value.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        foreach (var histogram in snapshot.Histograms)
        {
            var name = MetricName(histogram.Name, histogram.Unit);
            text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(histogram.Description)).Append('\n');
            text.Append("# TYPE ").Append(name).Append(" histogram\n");
            for (var i = 0; i < histogram.Bounds.Count; i++)
            {
                text.Append(name).Append("_bucket{le=\"").Append(Number(histogram.Bounds[i])).Append("\"} ")
                    .Append(histogram.CumulativeCounts[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
            }

            text.Append(name).Append("_bucket{le=\"+Inf\"} ").Append(histogram.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
            text.Append(name).Append("_sum ").Append(Number(histogram.Sum)).Append('\n');
            text.Append(name).Append("_count ").Append(histogram.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        context.Response.ContentType = ContentType;
        await context.Response.WriteAsync(text.ToString(), context.RequestAborted);
    }

    /// <summary><c>actorquotes.journal.write.duration</c> with unit <c>s</c> → <c>actorquotes_journal_write_duration_seconds</c>.</summary>
    public static string MetricName(string instrument, string? unit)
    {
        var name = instrument.Replace('.', '_');
        return unit == "s" ? name + "_seconds" : name;
    }

    private static void Gauge(StringBuilder text, string name, string help, IReadOnlyList<(string? Labels, double Value)> values)
    {
        var full = Prefix + name;
        text.Append("# HELP ").Append(full).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(full).Append(" gauge\n");
        foreach (var (labels, value) in values)
        {
            text.Append(full);
            if (labels is not null)
            {
                text.Append('{').Append(labels).Append('}');
            }

            text.Append(' ').Append(Number(value)).Append('\n');
        }
    }

    private static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeHelp(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
