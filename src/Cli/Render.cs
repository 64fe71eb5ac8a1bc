using System.Globalization;
using System.Text.Json.Nodes;

namespace ActorQuotes.Cli;

/// <summary>The admin API's answers as text for people (<c>--json</c> prints them as sent instead).</summary>
public static class Render
{
    public static void Cluster(JsonNode json, TextWriter output)
    {
        output.WriteLine($"Node:   {json["self"]}");
        output.WriteLine($"Leader: {json["leader"]?.ToString() ?? "(none)"}");
        var table = new Table("ADDRESS", "STATUS", "ROLES", "REACHABLE", "SELF");
        foreach (var m in Items(json, "members"))
        {
            table.Row(m["address"], m["status"], m["roles"], m["reachable"], m["is_self"]!.GetValue<bool>() ? "*" : string.Empty);
        }

        table.WriteTo(output);
    }

    public static void MembershipResult(JsonNode json, TextWriter output)
    {
        var addresses = Items(json, "addresses").Select(a => a.ToString()).ToArray();
        output.WriteLine(addresses.Length == 0
            ? $"{json["command"]}: nothing to do"
            : $"{json["command"]} sent for {string.Join(", ", addresses)} (follow it with: aq cluster tail)");
    }

    public static void Event(JsonNode e, TextWriter output)
    {
        var at = e["at"]!.GetValue<DateTimeOffset>().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        var roles = e["roles"] is JsonArray { Count: > 0 } r ? " roles=" + Table.Format(r) : string.Empty;
        var status = e["status"] is { } s ? " status=" + s : string.Empty;
        output.WriteLine($"{at}  {e["type"],-16} {e["address"]}{status}{roles}");
    }

    public static void Regions(JsonNode json, TextWriter output)
    {
        output.WriteLine($"Node: {json["node"]}");
        var table = new Table("REGION", "HERE AS", "SHARDS HERE", "ENTITIES HERE");
        foreach (var r in Items(json, "regions"))
        {
            table.Row(r["type_name"], r["proxy"]!.GetValue<bool>() ? "proxy" : "region", r["shards"], r["entities"]);
        }

        table.WriteTo(output);
    }

    public static void RegionStats(JsonNode json, TextWriter output)
    {
        output.WriteLine($"Region: {json["type_name"]}");
        var table = new Table("NODE", "SHARDS", "ENTITIES", "FAILED SHARDS");
        foreach (var n in Items(json, "nodes"))
        {
            table.Row(n["address"], n["shards"], n["entities"], n["failed_shards"]);
        }

        table.WriteTo(output);
    }

    public static void ShardStats(JsonNode json, TextWriter output)
    {
        output.WriteLine($"Region: {json["type_name"]}");
        var table = new Table("SHARD", "NODE", "ENTITIES");
        foreach (var s in Items(json, "shards"))
        {
            table.Row(s["shard_id"], s["address"], s["entities"]);
        }

        table.WriteTo(output);
    }

    public static void Location(JsonNode json, TextWriter output)
    {
        output.WriteLine($"{json["type_name"]} {json["entity_id"]}: shard {json["shard_id"]} on {json["node"]}, " +
                         (json["alive"]!.GetValue<bool>() ? "in memory" : "not in memory (starts on its next message)"));
    }

    public static void Hierarchy(JsonNode json, TextWriter output)
    {
        output.WriteLine($"{json["root"]}  (on {json["node"]}, {json["depth"]} levels)");
        foreach (var a in Items(json, "actors"))
        {
            var path = a["path"]!.GetValue<string>();
            var level = a["level"]!.GetValue<int>();
            output.WriteLine(new string(' ', 2 * level) + path[(path.LastIndexOf('/') + 1)..]);
        }

        if (json["truncated"]?.GetValue<bool>() == true)
        {
            output.WriteLine("(truncated: too many actors, or some did not answer; narrow it with -s and -d)");
        }
    }

    public static void Ticker(JsonNode json, TextWriter output)
    {
        output.WriteLine($"{json["symbol"]}  price {Table.Format(json["price"])}  change {Table.Format(json["change"])} ({Table.Format(json["change_percent"])}%)  previous close {Table.Format(json["previous_close"])}");
        output.WriteLine($"  sequence {json["sequence"]}  at {json["timestamp"]}");
        output.WriteLine($"  open {Table.Format(json["open"])}  high {Table.Format(json["day_high"])}  low {Table.Format(json["day_low"])}  volume {json["volume"]}");
        output.WriteLine($"  ticks accepted {json["accepted"]}");
        var rejected = json["rejected"]!.AsObject().Select(kv => $"{kv.Key}={kv.Value}");
        output.WriteLine($"  ticks rejected {string.Join("  ", rejected)}");
        if (json["last_rejected"] is { } last)
        {
            output.WriteLine($"  last rejected: {last["reason"]}, price {Table.Format(last["price"])} stamped {last["timestamp"]}, at {last["rejected_at"]}");
        }

        output.WriteLine($"  subscribers on this node {json["subscribers_on_this_node"]}");
        output.WriteLine($"  runs on {json["node"]} (shard {json["shard_id"]})");
    }

    public static void TickerStats(JsonNode json, TextWriter output)
    {
        var table = new Table("SYMBOL", "PRICE", "CHANGE %", "SEQUENCE", "ACCEPTED", "REJECTED");
        foreach (var t in Items(json, "tickers"))
        {
            table.Row(t["symbol"], t["price"], t["change_percent"], t["sequence"], t["accepted"], t["rejected"]);
        }

        table.WriteTo(output);
        output.WriteLine($"Total: {json["accepted"]} accepted, {json["rejected"]} rejected" +
                         (json["unanswered"]!.GetValue<int>() > 0 ? $", {json["unanswered"]} tickers did not answer" : string.Empty));
    }

    public static void Feeds(JsonNode json, TextWriter output, string? only)
    {
        var table = new Table("FEED", "STATE", "TICKS SENT");
        foreach (var f in Items(json, "feeds"))
        {
            if (only is not null && !string.Equals(f["feed"]!.GetValue<string>(), only, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var state = !f["running"]!.GetValue<bool>() ? "not running" : f["paused"]!.GetValue<bool>() ? "paused" : "running";
            table.Row(f["feed"], state, f["running"]!.GetValue<bool>() ? f["ticks_sent"] : null);
        }

        table.WriteTo(output);
    }

    public static void Sessions(JsonNode json, TextWriter output)
    {
        output.WriteLine($"Node: {json["node"]}  sockets open: {json["sockets_open"]}");
        var table = new Table("ID", "STREAM", "USER", "WATCHLIST / SYMBOLS", "FRAMES SENT", "CONFLATED", "AGE");
        foreach (var s in Items(json, "sessions"))
        {
            var follows = s["watchlist_id"] is { } w ? "watchlist " + w : Table.Format(s["symbols"]);
            var age = TimeSpan.FromSeconds(s["age_seconds"]!.GetValue<double>());
            table.Row(s["id"], s["stream"], s["username"], follows, s["frames_sent"], s["conflated"], Age(age));
        }

        table.WriteTo(output);
    }

    public static void Watchlist(JsonNode json, TextWriter output)
    {
        output.WriteLine($"Watchlist {json["watchlist_id"]} \"{json["name"]}\"  owner {json["owner_id"]}  version {json["version"]}" +
                         (json["deleted"]!.GetValue<bool>() ? "  DELETED" : string.Empty));
        var location = json["location"]!;
        output.WriteLine($"  entity: shard {location["shard_id"]} on {location["node"]}, " + (location["alive"]!.GetValue<bool>() ? "in memory" : "not in memory"));
        var stocks = new Table("SYMBOL", "QUANTITY", "PURCHASE PRICE");
        foreach (var p in Items(json, "stocks"))
        {
            stocks.Row(p["ticker_symbol"], p["quantity"], p["purchase_price"]);
        }

        stocks.WriteTo(output);
        output.WriteLine($"Last events (of {json["event_count"]}):");
        var events = new Table("SEQ", "AT", "EVENT", "DETAIL");
        foreach (var e in Items(json, "last_events"))
        {
            var detail = string.Join(" ", new[] { "name", "ticker_symbol", "quantity", "purchase_price" }
                .Where(k => e[k] is not null).Select(k => $"{k}={Table.Format(e[k])}"));
            events.Row(e["sequence_nr"], e["at"], e["type"], detail);
        }

        events.WriteTo(output);
    }

    private static string Age(TimeSpan age) =>
        age.TotalHours >= 1 ? $"{(int)age.TotalHours}h{age.Minutes:00}m" : age.TotalMinutes >= 1 ? $"{(int)age.TotalMinutes}m{age.Seconds:00}s" : $"{age.TotalSeconds:0}s";

    private static IEnumerable<JsonNode> Items(JsonNode json, string name) =>
        json[name] is JsonArray array ? array.Where(n => n is not null).Select(n => n!) : [];
}
