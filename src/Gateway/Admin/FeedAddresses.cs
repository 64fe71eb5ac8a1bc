using ActorQuotes.Gateway.Hosting;
using Akka.Actor;
using Akka.Cluster;

namespace ActorQuotes.Gateway.Admin;

/// <summary>
/// Where the admin endpoint finds the feeds: the one place that knows their addresses. Each feed is a cluster
/// singleton on the <c>quotes</c> role (its manager is <c>/user/{name}</c> on every quotes node, the running
/// feed that manager's child of the same name on the oldest one), so any node can find it wherever it runs.
/// </summary>
public static class FeedAddresses
{
    /// <summary>Feed name (as <c>aq feed</c> takes it) → the singleton manager's name.</summary>
    public static readonly IReadOnlyDictionary<string, string> Paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["simulated"] = FeedSetup.SimulatedFeedName,
        ["replay"] = FeedSetup.ReplayFeedName,
    };

    /// <summary>The running feed of that name on any Up quotes member (this node first), or null when none runs it.</summary>
    public static async Task<IActorRef?> Find(ActorSystem system, string name, TimeSpan timeout)
    {
        var cluster = Cluster.Get(system);
        var quotesNodes = cluster.State.Members
            .Where(m => m.Status == MemberStatus.Up && m.HasRole(NodeRoles.QuotesRole))
            .Select(m => m.Address)
            .OrderBy(a => a == cluster.SelfAddress ? 0 : 1)
            .ToList();
        var lookups = quotesNodes.Select(address => Resolve(system, $"{address}/user/{Paths[name]}/{Paths[name]}", timeout)).ToList();
        return (await Task.WhenAll(lookups)).FirstOrDefault(feed => feed is not null);
    }

    private static async Task<IActorRef?> Resolve(ActorSystem system, string path, TimeSpan timeout)
    {
        try
        {
            return await system.ActorSelection(path).ResolveOne(timeout);
        }
        catch (Exception e) when (e is ActorNotFoundException or TimeoutException or TaskCanceledException)
        {
            return null;
        }
    }
}
