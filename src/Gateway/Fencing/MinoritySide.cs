using Akka.Actor;
using Akka.Cluster;

namespace ActorQuotes.Gateway.Fencing;

/// <summary>
/// Which side keep-majority keeps, seen from one node: the side with more than half of the members, or on a tie
/// the side with the lowest address (as Akka's resolver decides). Pure.
/// </summary>
public static class MinoritySide
{
    /// <param name="members">The members keep-majority counts (Up, Leaving, Exiting), this node among them.</param>
    /// <param name="unreachable">The members this node's view marks unreachable.</param>
    /// <param name="self">This node.</param>
    public static bool IsMinority(IReadOnlyCollection<Address> members, IReadOnlySet<Address> unreachable, Address self)
    {
        if (!members.Contains(self) || members.Count == 0)
        {
            return false; // joining or leaving: not this check's business
        }

        var reachable = members.Where(m => !unreachable.Contains(m)).ToList();
        var twice = reachable.Count * 2;
        if (twice != members.Count)
        {
            return twice < members.Count;
        }

        var lowest = members.Min(Member.AddressOrdering)!;
        return !reachable.Contains(lowest);
    }
}
