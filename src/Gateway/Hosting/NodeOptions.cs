using System.ComponentModel.DataAnnotations;

namespace ActorQuotes.Gateway.Hosting;

/// <summary>This node's place in the cluster (configuration section <c>Node</c>).</summary>
public sealed class NodeOptions
{
    public const string Section = "Node";

    /// <summary>Address Akka.Remote binds to. Loopback unless the node must be reached from other hosts.</summary>
    [Required]
    public string Hostname { get; set; } = "127.0.0.1";

    /// <summary>
    /// The name other nodes reach this one by, when it differs from <see cref="Hostname"/> (a container that
    /// binds 0.0.0.0 but is known as <c>actorquotes-1.actorquotes</c>). Empty: the bind address.
    /// </summary>
    public string? PublicHostname { get; set; }

    /// <summary>Akka.Remote port; 0 picks a free one (fine for a single node that seeds itself).</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    /// <summary>Seed node addresses (akka.tcp://actorquotes@host:port). Empty: this node forms a cluster of one.</summary>
    public string[] SeedNodes { get; set; } = [];

    /// <summary>
    /// Comma-separated roles: <c>gateway</c> (HTTP and WebSockets), <c>quotes</c> (tickers and feeds),
    /// <c>watchlists</c> (watchlist and account entities). A single node holds all three.
    /// </summary>
    public string Roles { get; set; } = string.Join(',', NodeRoles.All);

    /// <summary>
    /// How long the cluster must look the same before the split-brain resolver downs the unreachable
    /// side (keep-majority). 5 s: with the shard leases a hasty decision can cost a node restart, never a
    /// write; 3 s (with a 2 s pause) failed over in under 10 s but, on a machine starved of CPU, let the
    /// resolver down every node as unstable (docs/operations.md, "Failover timing"; decision 0001).
    /// </summary>
    public TimeSpan DowningStableAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a peer may go unheard before this node's failure detectors (cluster membership and remote
    /// death watch) call it unreachable; also how long this node may itself stand still before it stops
    /// (Fencing:WatchdogPause). 3 s by default (Akka's membership default; docs/decisions/0001-failover-timing.md); raise it where nodes stall for longer without being down: a VM that is paused, a machine
    /// starved of CPU, or a benchmark that stops idle nodes (bench/, W5).
    /// </summary>
    public TimeSpan AcceptableHeartbeatPause { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long after a downed node is removed its shards and singletons wait before they start elsewhere
    /// (<c>akka.cluster.down-removal-margin</c>; Akka's default is the whole stable-after again). The margin
    /// exists so that a cut-off side stops writing first; here the shard leases guarantee that
    /// (docs/architecture.md, "Fencing"), so the margin only has to cover the cut-off side's own shutdown.
    /// </summary>
    public TimeSpan DownRemovalMargin { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The roles as a set; throws on an unknown or empty list (checked at start).</summary>
    public NodeRoles ParsedRoles() => NodeRoles.Parse(Roles);

    /// <summary>Whether this node forms or joins a cluster of several nodes (anything but a cluster of one).</summary>
    public bool IsMultiNode() => SeedNodes.Any(s => !string.IsNullOrWhiteSpace(s)) || !ParsedRoles().HasAll;
}

/// <summary>Which parts of ActorQuotes a node runs.</summary>
public sealed record NodeRoles(bool Gateway, bool Quotes, bool Watchlists)
{
    public const string GatewayRole = "gateway";
    public const string QuotesRole = "quotes";
    public const string WatchlistsRole = "watchlists";

    public static readonly IReadOnlyList<string> All = [GatewayRole, QuotesRole, WatchlistsRole];

    public bool HasAll => Gateway && Quotes && Watchlists;

    public IEnumerable<string> Names =>
        All.Where(r => r switch { GatewayRole => Gateway, QuotesRole => Quotes, _ => Watchlists });

    /// <summary>Parses <c>"gateway, quotes"</c>; case-insensitive.</summary>
    /// <exception cref="FormatException">An unknown role, or none at all.</exception>
    public static NodeRoles Parse(string? roles)
    {
        var names = (roles ?? string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(r => r.ToLowerInvariant())
            .ToHashSet();
        var unknown = names.Except(All).ToList();
        if (unknown.Count > 0)
        {
            throw new FormatException($"Node:Roles has unknown role(s) {string.Join(", ", unknown)}; use {string.Join(", ", All)}.");
        }

        if (names.Count == 0)
        {
            throw new FormatException($"Node:Roles is empty; give one or more of {string.Join(", ", All)}.");
        }

        return new NodeRoles(names.Contains(GatewayRole), names.Contains(QuotesRole), names.Contains(WatchlistsRole));
    }
}

/// <summary>
/// Start-time checks of <see cref="NodeOptions"/> that need more than one section: several nodes need
/// PostgreSQL, and a node that does not hold every role needs seeds to find the others.
/// </summary>
public sealed class NodeOptionsValidator(Microsoft.Extensions.Options.IOptions<StorageOptions> storage)
    : Microsoft.Extensions.Options.IValidateOptions<NodeOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, NodeOptions options)
    {
        NodeRoles roles;
        try
        {
            roles = options.ParsedRoles();
        }
        catch (FormatException e)
        {
            return Microsoft.Extensions.Options.ValidateOptionsResult.Fail(e.Message);
        }

        var failures = new List<string>();
        if (options.DowningStableAfter <= TimeSpan.Zero)
        {
            failures.Add("Node:DowningStableAfter must be positive.");
        }

        if (options.DownRemovalMargin <= TimeSpan.Zero || options.DownRemovalMargin > TimeSpan.FromMinutes(5))
        {
            failures.Add("Node:DownRemovalMargin must be more than 0 and at most 00:05:00.");
        }

        if (options.AcceptableHeartbeatPause <= TimeSpan.Zero || options.AcceptableHeartbeatPause > TimeSpan.FromHours(1))
        {
            failures.Add("Node:AcceptableHeartbeatPause must be more than 0 and at most 01:00:00.");
        }

        foreach (var seed in options.SeedNodes.Where(s => !string.IsNullOrWhiteSpace(s)))
        {
            if (!Akka.Actor.Address.TryParse(seed, out var address) || address.Port is null or 0 || address.System != AkkaSetup.SystemName)
            {
                failures.Add($"Node:SeedNodes has '{seed}'; a seed looks like akka.tcp://{AkkaSetup.SystemName}@host:port.");
            }
        }

        if (options.Hostname is "0.0.0.0" or "::" && string.IsNullOrWhiteSpace(options.PublicHostname))
        {
            failures.Add($"Node:Hostname is {options.Hostname} (every interface): set Node:PublicHostname to the name other nodes reach this one by.");
        }

        var seeded = options.SeedNodes.Any(s => !string.IsNullOrWhiteSpace(s));
        if (!roles.HasAll && !seeded)
        {
            failures.Add($"Node:Roles is '{options.Roles}', so this node needs the others: set Node:SeedNodes.");
        }

        if (options.IsMultiNode() && storage.Value.IsSqlite)
        {
            failures.Add(
                "More than one node cannot run on SQLite (Node:SeedNodes or Node:Roles say this node is part of a cluster). " +
                "Use PostgreSQL: set Storage:Provider=postgresql and Storage:ConnectionString on every node.");
        }

        return failures.Count == 0
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Success
            : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(failures);
    }
}
