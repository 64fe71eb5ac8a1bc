using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Remote;

namespace ActorQuotes.Gateway.Fencing;

/// <summary>
/// Trips the <see cref="NodeFence"/> the moment this node hears that the cluster has let it go: it was downed,
/// removed without leaving, or quarantined by another node. Sends nothing and answers nothing.
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
        ReceiveAny(_ => { });
    }

    public static Props Props(NodeFence fence) => Akka.Actor.Props.Create(() => new FenceWatcher(fence));

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.MemberDowned), typeof(ClusterEvent.MemberRemoved));
        Context.System.EventStream.Subscribe<ThisActorSystemQuarantinedEvent>(Self);
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        Context.System.EventStream.Unsubscribe(Self);
    }
}
