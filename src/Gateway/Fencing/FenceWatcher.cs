using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Remote;

namespace ActorQuotes.Gateway.Fencing;

/// <summary>
/// Trips the <see cref="NodeFence"/> the moment this node hears that the cluster has let it go: it was downed,
/// removed without leaving, or quarantined by another node. Before that, it suspends the fence while this node
/// sees only a minority of the members reachable (<see cref="MinoritySide"/>): the majority may down it on its
/// own clock before this node's resolver says so, and a node on the losing side must answer no 2xx by then.
/// Sends nothing and answers nothing.
/// </summary>
public sealed class FenceWatcher : ReceiveActor
{
    private readonly Cluster _cluster = Cluster.Get(Context.System);

    public FenceWatcher(NodeFence fence)
    {
        Receive<ClusterEvent.MemberDowned>(e => e.Member.UniqueAddress.Equals(_cluster.SelfUniqueAddress),
            _ => fence.Trip("the cluster downed this node"));
        Receive<ClusterEvent.MemberRemoved>(
            e => e.Member.UniqueAddress.Equals(_cluster.SelfUniqueAddress) && e.PreviousStatus is not (MemberStatus.Exiting or MemberStatus.Leaving),
            _ => fence.Trip("the cluster removed this node"));
        Receive<ThisActorSystemQuarantinedEvent>(e => fence.Trip($"{e.RemoteAddress} quarantined this node"));
        Receive<ClusterEvent.IReachabilityEvent>(_ => CheckSide(fence));
        Receive<ClusterEvent.IMemberEvent>(_ => CheckSide(fence));
        ReceiveAny(_ => { });
    }

    public static Props Props(NodeFence fence) => Akka.Actor.Props.Create(() => new FenceWatcher(fence));

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        Context.System.EventStream.Subscribe<ThisActorSystemQuarantinedEvent>(Self);
    }

    private void CheckSide(NodeFence fence)
    {
        var state = _cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).Where(a => a != _cluster.SelfAddress).ToHashSet();
        var members = state.Members.Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Exiting)
            .Select(m => m.Address)
            .ToList();
        if (MinoritySide.IsMinority(members, unreachable, _cluster.SelfAddress))
        {
            fence.Suspend($"it reaches {members.Count - unreachable.Count(members.Contains)} of {members.Count} members");
        }
        else
        {
            fence.Resume();
        }
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        Context.System.EventStream.Unsubscribe(Self);
    }
}
