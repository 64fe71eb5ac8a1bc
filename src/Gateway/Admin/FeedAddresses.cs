using Akka.Actor;

namespace ActorQuotes.Gateway.Admin;

/// <summary>
/// Where the admin endpoint finds the feeds: the one place that knows their addresses. Today each runs
/// as a plain actor on the node that started it, so the node you are connected to is asked.
/// </summary>
public static class FeedAddresses
{
    /// <summary>Feed name (as <c>aq feed</c> takes it) → actor path on the node.</summary>
    public static readonly IReadOnlyDictionary<string, string> Paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["simulated"] = "/user/simulated-feed",
        ["replay"] = "/user/" + Hosting.FeedSetup.ReplayFeedName,
    };

    /// <summary>The running feed of that name, or null when it is not running here.</summary>
    public static async Task<IActorRef?> Find(ActorSystem system, string name, TimeSpan timeout)
    {
        try
        {
            return await system.ActorSelection(Paths[name]).ResolveOne(timeout);
        }
        catch (ActorNotFoundException)
        {
            return null;
        }
    }
}
