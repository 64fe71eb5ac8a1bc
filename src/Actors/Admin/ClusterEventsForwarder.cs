using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;

namespace ActorQuotes.Actors.Admin;

/// <summary>
/// Subscribes to this node's view of cluster membership (current members first, as events) and writes
/// each change into a channel that an admin request streams out (<c>aq cluster tail</c>). Stopping the
/// actor unsubscribes and completes the channel.
/// </summary>
public sealed class ClusterEventsForwarder : ReceiveActor
{
    private readonly ChannelWriter<ClusterEventLine> _writer;

    public ClusterEventsForwarder(ChannelWriter<ClusterEventLine> writer)
    {
        _writer = writer;
        Receive<ClusterEvent.IMemberEvent>(e => Write(EventName(e), e.Member.Address, e.Member.Status, e.Member.Roles));
        Receive<ClusterEvent.UnreachableMember>(e => Write("unreachable", e.Member.Address, e.Member.Status, e.Member.Roles));
        Receive<ClusterEvent.ReachableMember>(e => Write("reachable", e.Member.Address, e.Member.Status, e.Member.Roles));
        Receive<ClusterEvent.LeaderChanged>(e => _writer.TryWrite(new ClusterEventLine("leader_changed", e.Leader?.ToString(), null, [], DateTimeOffset.UtcNow)));
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
    }

    public static Props Props(ChannelWriter<ClusterEventLine> writer) =>
        Akka.Actor.Props.Create(() => new ClusterEventsForwarder(writer));

    protected override void PreStart() =>
        Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));

    protected override void PostStop()
    {
        Cluster.Get(Context.System).Unsubscribe(Self);
        _writer.TryComplete();
    }

    private static string EventName(ClusterEvent.IMemberEvent e) => e switch
    {
        ClusterEvent.MemberJoined => "member_joined",
        ClusterEvent.MemberUp => "member_up",
        ClusterEvent.MemberWeaklyUp => "member_weakly_up",
        ClusterEvent.MemberLeft => "member_left",
        ClusterEvent.MemberExited => "member_exited",
        ClusterEvent.MemberDowned => "member_downed",
        ClusterEvent.MemberRemoved => "member_removed",
        _ => "member_" + e.GetType().Name.ToLowerInvariant(),
    };

    private void Write(string type, Address address, MemberStatus status, IEnumerable<string> roles) =>
        _writer.TryWrite(new ClusterEventLine(type, address.ToString(), StatusName(status), roles.Order(StringComparer.Ordinal).ToArray(), DateTimeOffset.UtcNow));

    /// <summary><see cref="MemberStatus"/> in snake_case, as the admin API and metrics spell it.</summary>
    public static string StatusName(MemberStatus status) => status switch
    {
        MemberStatus.Joining => "joining",
        MemberStatus.WeaklyUp => "weakly_up",
        MemberStatus.Up => "up",
        MemberStatus.Leaving => "leaving",
        MemberStatus.Exiting => "exiting",
        MemberStatus.Down => "down",
        MemberStatus.Removed => "removed",
        _ => status.ToString().ToLowerInvariant(),
    };
}

/// <summary>One line of <c>cluster tail</c>: what happened, to which member, its status and roles then.</summary>
public sealed record ClusterEventLine(string Type, string? Address, string? Status, IReadOnlyList<string> Roles, DateTimeOffset At);
