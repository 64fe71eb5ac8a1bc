using System.Globalization;
using System.Text.Json.Nodes;

namespace ActorQuotes.Cli;

/// <summary>What a command gets: its arguments, the node's admin API, where to write, and whether to print JSON.</summary>
public sealed record Invocation(CommandArgs Args, AdminClient Admin, TextWriter Out, bool Json, CancellationToken CancellationToken)
{
    /// <summary>Prints the answer as sent (<c>--json</c>) or through <paramref name="render"/> for people.</summary>
    public int Print(AdminReply reply, Action<JsonNode, TextWriter> render)
    {
        if (Json)
        {
            Out.WriteLine(reply.Text);
        }
        else
        {
            render(reply.Json, Out);
        }

        return ExitCodes.Ok;
    }
}

/// <summary>One aq command: its words, usage, options (alias → name) and what it does.</summary>
public sealed record Command(string Name, string Usage, string Summary, IReadOnlyDictionary<string, string> Options, Func<Invocation, Task<int>> Run)
{
    public static readonly IReadOnlyDictionary<string, string> NoOptions = new Dictionary<string, string>();
}

/// <summary>The command vocabulary: Petabridge.Cmd's (<c>cluster</c>, <c>cluster-sharding</c>, <c>actor</c>) plus ActorQuotes' own.</summary>
public static class Commands
{
    private static readonly Dictionary<string, string> RegionOption = new() { ["-r"] = "region", ["--region"] = "region" };

    public static readonly IReadOnlyList<Command> All =
    [
        new("cluster show", "cluster show", "Members as this node sees them: address, status, roles, reachability; the leader", Command.NoOptions,
            async i => { i.Args.AtMost(0); return i.Print(await i.Admin.Get("admin/v1/cluster", i.CancellationToken), Render.Cluster); }),
        new("cluster join", "cluster join <address>", "Make this node join the cluster at <address> (akka.tcp://actorquotes@host:port)", Command.NoOptions,
            i => Membership(i, "join")),
        new("cluster leave", "cluster leave <address>", "Ask member <address> to leave gracefully (hands off its shards)", Command.NoOptions,
            i => Membership(i, "leave")),
        new("cluster down", "cluster down <address>", "Mark member <address> down (use for a member that is gone for good)", Command.NoOptions,
            i => Membership(i, "down")),
        new("cluster down-unreachable", "cluster down-unreachable", "Mark every unreachable member down", Command.NoOptions,
            async i =>
            {
                i.Args.AtMost(0);
                return i.Print(await i.Admin.Post("admin/v1/cluster/down-unreachable", null, i.CancellationToken), Render.MembershipResult);
            }),
        new("cluster tail", "cluster tail", "Member events as they happen (current members first), until Ctrl+C", Command.NoOptions, Tail),
        new("cluster-sharding regions", "cluster-sharding regions", "Shard region types on this node, with the shards and entities it holds", Command.NoOptions,
            async i => { i.Args.AtMost(0); return i.Print(await i.Admin.Get("admin/v1/sharding/regions", i.CancellationToken), Render.Regions); }),
        new("cluster-sharding region-stats", "cluster-sharding region-stats -r <type>", "Per node of the cluster: shards and entities of one region type", RegionOption,
            async i => i.Print(await i.Admin.Get($"admin/v1/sharding/regions/{Region(i)}/stats", i.CancellationToken), Render.RegionStats)),
        new("cluster-sharding shard-stats", "cluster-sharding shard-stats -r <type>", "Per shard of one region type: the node holding it and its entity count", RegionOption,
            async i => i.Print(await i.Admin.Get($"admin/v1/sharding/regions/{Region(i)}/shards", i.CancellationToken), Render.ShardStats)),
        new("cluster-sharding locate", "cluster-sharding locate -r <type> -e <entity-id>", "Which shard and node hold one entity, and whether it is in memory",
            new Dictionary<string, string> { ["-r"] = "region", ["--region"] = "region", ["-e"] = "entity", ["--entity"] = "entity" },
            async i =>
            {
                var entity = Uri.EscapeDataString(i.Args.Required("entity", "-e <entity-id>"));
                return i.Print(await i.Admin.Get($"admin/v1/sharding/regions/{Region(i)}/entities/{entity}", i.CancellationToken), Render.Location);
            }),
        new("actor hierarchy", "actor hierarchy [-d <depth>] [-s <path>]", "The actor tree on this node below <path> (default /user), <depth> levels (default 3)",
            new Dictionary<string, string> { ["-d"] = "depth", ["--depth"] = "depth", ["-s"] = "path", ["--path"] = "path" },
            async i =>
            {
                i.Args.AtMost(0);
                var depth = i.Args.IntOption("depth", 3, 0, 10);
                var path = i.Args.Option("path") ?? "/user";
                return i.Print(await i.Admin.Get($"admin/v1/actors?depth={depth}&path={Uri.EscapeDataString(path)}", i.CancellationToken), Render.Hierarchy);
            }),
        new("ticker show", "ticker show <symbol>", "Last quote, sequence, ticks accepted and rejected by reason, subscribers on this node, where it runs", Command.NoOptions,
            async i =>
            {
                i.Args.AtMost(1);
                var symbol = Uri.EscapeDataString(i.Args.Positional(0, "a <symbol>"));
                return i.Print(await i.Admin.Get($"admin/v1/tickers/{symbol}", i.CancellationToken), Render.Ticker);
            }),
        new("ticker reset", "ticker reset <symbol>", "Unfreeze a symbol: back to its previous close, the day and its last tick's time forgotten (then ticks are taken again)", Command.NoOptions,
            async i =>
            {
                i.Args.AtMost(1);
                var symbol = Uri.EscapeDataString(i.Args.Positional(0, "a <symbol>"));
                return i.Print(await i.Admin.Post($"admin/v1/tickers/{symbol}/reset", null, i.CancellationToken), Render.Ticker);
            }),
        new("ticker stats", "ticker stats", "Every catalog symbol: price, sequence, ticks accepted and rejected", Command.NoOptions,
            async i => { i.Args.AtMost(0); return i.Print(await i.Admin.Get("admin/v1/tickers", i.CancellationToken), Render.TickerStats); }),
        new("feed status", "feed status [feed]", "The feeds on this node (simulated, replay): running, paused, ticks sent", Command.NoOptions,
            async i =>
            {
                i.Args.AtMost(1);
                var feed = i.Args.OptionalPositional(0);
                var reply = await i.Admin.Get("admin/v1/feeds", i.CancellationToken);
                if (feed is not null && reply.Json["feeds"]!.AsArray().All(f => !string.Equals(f!["feed"]!.GetValue<string>(), feed, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new UsageException($"no feed '{feed}'; feeds: simulated, replay", "feed status");
                }

                return i.Print(reply, (json, output) => Render.Feeds(json, output, feed));
            }),
        new("feed pause", "feed pause [feed]", "Stop sending ticks (one feed, or every running one) until resumed", Command.NoOptions, i => SteerFeed(i, "pause")),
        new("feed resume", "feed resume [feed]", "Send ticks again from where the feed paused", Command.NoOptions, i => SteerFeed(i, "resume")),
        new("sessions list", "sessions list", "WebSockets on this node: id, user, watchlist or symbols, frames sent, conflated, age", Command.NoOptions,
            async i => { i.Args.AtMost(0); return i.Print(await i.Admin.Get("admin/v1/sessions", i.CancellationToken), Render.Sessions); }),
        new("sessions kick", "sessions kick <id>", "Close one socket of this node with 1008 (policy violation)", Command.NoOptions,
            async i =>
            {
                i.Args.AtMost(1);
                var id = Uri.EscapeDataString(i.Args.Positional(0, "a session <id> (see sessions list)"));
                return i.Print(await i.Admin.Post($"admin/v1/sessions/{id}/kick", null, i.CancellationToken),
                    (json, output) => output.WriteLine($"session {json["id"]} closed with {json["close_code"]}"));
            }),
        new("watchlist show", "watchlist show <id>", "A watchlist's state and last events (from the journal) and the node holding it", Command.NoOptions,
            async i =>
            {
                i.Args.AtMost(1);
                var text = i.Args.Positional(0, "a watchlist <id>");
                if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    throw new UsageException($"a watchlist id is a number, not '{text}'", "watchlist show");
                }

                return i.Print(await i.Admin.Get($"admin/v1/watchlists/{id}", i.CancellationToken), Render.Watchlist);
            }),
        new("metrics", "metrics", "This node's /metrics, as Prometheus scrapes it", Command.NoOptions,
            async i =>
            {
                i.Args.AtMost(0);
                i.Out.Write(await i.Admin.GetText("metrics", i.CancellationToken));
                return ExitCodes.Ok;
            }),
    ];

    /// <summary>The command named by the first one or two words, and the words after it.</summary>
    public static (Command Command, IReadOnlyList<string> Remaining)? Find(IReadOnlyList<string> words)
    {
        if (words.Count >= 2 && All.FirstOrDefault(c => c.Name == words[0] + " " + words[1]) is { } two)
        {
            return (two, words.Skip(2).ToArray());
        }

        if (words.Count >= 1 && All.FirstOrDefault(c => c.Name == words[0]) is { } one)
        {
            return (one, words.Skip(1).ToArray());
        }

        return null;
    }

    /// <summary>True when <paramref name="word"/> starts a command group (<c>cluster</c>, <c>feed</c>…).</summary>
    public static bool IsGroup(string word) => All.Any(c => c.Name.StartsWith(word + " ", StringComparison.Ordinal));

    private static string Region(Invocation i)
    {
        i.Args.AtMost(0);
        return Uri.EscapeDataString(i.Args.Required("region", "-r <type> (see cluster-sharding regions)"));
    }

    private static async Task<int> Membership(Invocation i, string command)
    {
        i.Args.AtMost(1);
        var address = i.Args.Positional(0, "a member <address> (akka.tcp://actorquotes@host:port)");
        return i.Print(await i.Admin.Post($"admin/v1/cluster/{command}", new { Address = address }, i.CancellationToken), Render.MembershipResult);
    }

    private static async Task<int> SteerFeed(Invocation i, string action)
    {
        i.Args.AtMost(1);
        var feed = i.Args.OptionalPositional(0);
        var path = $"admin/v1/feeds/{action}" + (feed is null ? string.Empty : "?feed=" + Uri.EscapeDataString(feed));
        return i.Print(await i.Admin.Post(path, null, i.CancellationToken), (json, output) => Render.Feeds(json, output, null));
    }

    private static async Task<int> Tail(Invocation i)
    {
        i.Args.AtMost(0);
        if (!i.Json)
        {
            i.Out.WriteLine("Member events of " + i.Admin.BaseAddress + " (Ctrl+C to stop)");
        }

        try
        {
            await foreach (var line in i.Admin.Lines("admin/v1/cluster/events", i.CancellationToken))
            {
                if (i.Json)
                {
                    i.Out.WriteLine(line);
                }
                else
                {
                    Render.Event(JsonNode.Parse(line)!, i.Out);
                }

                await i.Out.FlushAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (i.CancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: the tail ends, and so does the command, successfully
        }

        return ExitCodes.Ok;
    }
}
