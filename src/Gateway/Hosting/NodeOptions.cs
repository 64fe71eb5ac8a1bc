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
    /// side (keep-majority). Akka's guidance for clusters of up to 5 nodes is 7 s.
    /// </summary>
    public TimeSpan DowningStableAfter { get; set; } = TimeSpan.FromSeconds(7);

    /// <summary>
    /// How long a peer may go unheard before this node's failure detectors (cluster membership and remote
    /// death watch) call it unreachable. Null: Akka's defaults (3 s of pause for membership, 10 s for
    /// watch). Raise it where nodes stall for longer without being down: a VM that is paused, or a
    /// benchmark that stops idle nodes (bench/, W5).
    /// </summary>
    public TimeSpan? AcceptableHeartbeatPause { get; set; }

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

        if (options.AcceptableHeartbeatPause is { } pause && (pause <= TimeSpan.Zero || pause > TimeSpan.FromHours(1)))
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
