using ActorQuotes.Contracts.Routing;
using ActorQuotes.Gateway.Problems;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActorQuotes.Gateway.Admin;

/// <summary>
/// <c>aq cluster-sharding …</c>: questions sent to the shard region (or proxy) of a type on this node,
/// which asks the other nodes' regions where the answer needs them.
/// </summary>
public static class ShardingAdmin
{
    public static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The region types ActorQuotes runs; a node hosts each one or runs a proxy to it.</summary>
    public static readonly IReadOnlyList<string> KnownTypes = [ShardRegions.Account, ShardRegions.IdSequence, ShardRegions.Ticker, ShardRegions.Watchlist];

    /// <summary>Every region type this node runs (or proxies), with the shards and entities it holds itself.</summary>
    public static async Task<Ok<RegionsView>> Regions(AdminContext admin, CancellationToken cancellationToken)
    {
        var hosted = ClusterSharding.Get(admin.System).ShardTypeNames;
        var rows = new List<RegionRow>();
        foreach (var type in TypeNames(admin.System))
        {
            var (shards, entities) = await LocalCounts(admin.System, type, cancellationToken);
            rows.Add(new RegionRow(type, !hosted.Contains(type), shards, entities));
        }

        return TypedResults.Ok(new RegionsView(admin.NodeAddress, rows));
    }

    /// <summary>Per node of the cluster: shards and entities of one region type.</summary>
    public static async Task<Results<Ok<RegionStatsView>, ProblemHttpResult>> RegionStats(string type, AdminContext admin, CancellationToken cancellationToken)
    {
        if (Region(admin.System, type) is not var (name, region))
        {
            return UnknownRegion(admin.System, type);
        }

        var stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(QueryTimeout), QueryTimeout + TimeSpan.FromSeconds(1), cancellationToken);
        var nodes = stats.Regions
            .OrderBy(kv => kv.Key.ToString(), StringComparer.Ordinal)
            .Select(kv => new RegionNodeRow(kv.Key.ToString(), kv.Value.Stats.Count, kv.Value.Stats.Values.Sum(), kv.Value.Failed.Order(StringComparer.Ordinal).ToArray()))
            .ToArray();
        return TypedResults.Ok(new RegionStatsView(name, nodes));
    }

    /// <summary>Per shard of one region type, across the cluster: which node holds it and how many entities it has.</summary>
    public static async Task<Results<Ok<ShardStatsView>, ProblemHttpResult>> ShardStats(string type, AdminContext admin, CancellationToken cancellationToken)
    {
        if (Region(admin.System, type) is not var (name, region))
        {
            return UnknownRegion(admin.System, type);
        }

        var stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(QueryTimeout), QueryTimeout + TimeSpan.FromSeconds(1), cancellationToken);
        var shards = stats.Regions
            .SelectMany(kv => kv.Value.Stats.Select(s => new ShardRow(s.Key, kv.Key.ToString(), s.Value)))
            .OrderBy(s => s.ShardId.Length).ThenBy(s => s.ShardId, StringComparer.Ordinal)
            .ToArray();
        return TypedResults.Ok(new ShardStatsView(name, shards));
    }

    /// <summary>Which shard and node hold one entity, and whether it is in memory now.</summary>
    public static async Task<Results<Ok<EntityLocationView>, ProblemHttpResult>> Locate(string type, string entityId, AdminContext admin, CancellationToken cancellationToken)
    {
        if (Region(admin.System, type) is not var (name, region))
        {
            return UnknownRegion(admin.System, type);
        }

        return TypedResults.Ok(await LocateEntity(admin.System, region, name, entityId, cancellationToken));
    }

    internal static async Task<EntityLocationView> LocateEntity(ActorSystem system, IActorRef region, string type, string entityId, CancellationToken cancellationToken)
    {
        var location = await region.Ask<EntityLocation>(new GetEntityLocation(entityId, QueryTimeout), QueryTimeout + TimeSpan.FromSeconds(1), cancellationToken);
        if (!location.ShardRegion.Equals(Address.AllSystems))
        {
            return new EntityLocationView(type, location.EntityId, location.ShardId, location.ShardRegion.ToString(), location.EntityRef.HasValue);
        }

        // This region (often a proxy) has never routed to that shard, so it does not know its home. The
        // coordinator's statistics do: find the region that runs the shard and ask it about the entity.
        var stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(QueryTimeout), QueryTimeout + TimeSpan.FromSeconds(1), cancellationToken);
        var home = stats.Regions.FirstOrDefault(r => r.Value.Stats.ContainsKey(location.ShardId)).Key;
        if (home is null)
        {
            return new EntityLocationView(type, location.EntityId, location.ShardId, "(not allocated)", false);
        }

        var homeRegion = system.ActorSelection(new RootActorPath(home) / "system" / "sharding" / type);
        var there = await homeRegion.Ask<EntityLocation>(new GetEntityLocation(entityId, QueryTimeout), QueryTimeout + TimeSpan.FromSeconds(1), cancellationToken);
        return new EntityLocationView(type, there.EntityId, there.ShardId, home.ToString(), there.EntityRef.HasValue);
    }

    /// <summary>
    /// Region types with a region or a proxy on this node (<see cref="ClusterSharding.ShardTypeNames"/> lists
    /// only hosted regions, so the known types are tried as well).
    /// </summary>
    internal static IReadOnlyList<string> TypeNames(ActorSystem system) =>
        ClusterSharding.Get(system).ShardTypeNames.Union(KnownTypes)
            .Where(name => Region(system, name) is not null)
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>The region or proxy of a type on this node, matched without regard to case.</summary>
    internal static (string Name, IActorRef Region)? Region(ActorSystem system, string type)
    {
        var sharding = ClusterSharding.Get(system);
        var name = sharding.ShardTypeNames.Union(KnownTypes).FirstOrDefault(n => string.Equals(n, type, StringComparison.OrdinalIgnoreCase));
        if (name is null)
        {
            return null;
        }

        try
        {
            return (name, sharding.ShardRegion(name)); // a hosted region, else a proxy
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Shards and entities the region of <paramref name="type"/> holds on this node.</summary>
    internal static async Task<(int Shards, int Entities)> LocalCounts(ActorSystem system, string type, CancellationToken cancellationToken)
    {
        if (Region(system, type) is not var (_, region))
        {
            return (0, 0);
        }

        var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, QueryTimeout, cancellationToken);
        return (state.Shards.Count, state.Shards.Sum(s => s.EntityIds.Count));
    }

    private static ProblemHttpResult UnknownRegion(ActorSystem system, string type) =>
        ApiProblems.Create(StatusCodes.Status404NotFound, "unknown_region", $"No shard region '{type}' on this node.",
            "regions: " + string.Join(", ", TypeNames(system)));
}

public sealed record RegionsView(string Node, IReadOnlyList<RegionRow> Regions);

/// <summary>A region type on this node: whether it is only a proxy here, and the shards and entities it hosts here.</summary>
public sealed record RegionRow(string TypeName, bool Proxy, int Shards, int Entities);

public sealed record RegionStatsView(string TypeName, IReadOnlyList<RegionNodeRow> Nodes);

public sealed record RegionNodeRow(string Address, int Shards, int Entities, IReadOnlyList<string> FailedShards);

public sealed record ShardStatsView(string TypeName, IReadOnlyList<ShardRow> Shards);

public sealed record ShardRow(string ShardId, string Address, int Entities);

public sealed record EntityLocationView(string TypeName, string EntityId, string ShardId, string Node, bool Alive);
