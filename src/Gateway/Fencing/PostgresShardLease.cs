using Akka.Actor;
using Akka.Coordination;
using Akka.DependencyInjection;
using Akka.Hosting;
using Akka.Hosting.Coordination;

namespace ActorQuotes.Gateway.Fencing;

/// <summary>
/// Cluster Sharding's per-shard lease (<c>use-lease</c>) on PostgreSQL: a shard starts its entities only once
/// it holds the lease, and <see cref="NodeLease"/> hands a lease over only when its holder can no longer write.
/// Akka names the owner by host and port; the lease is held by this process (<see cref="NodeLease.Owner"/>), so
/// a new incarnation on the same port is a different owner.
/// </summary>
public sealed class PostgresShardLease : Lease
{
    private readonly NodeLease _node;

    public PostgresShardLease(LeaseSettings settings, ExtendedActorSystem system)
        : base(settings)
    {
        _node = DependencyResolver.For(system).Resolver.GetService<NodeLease>()
                ?? throw new InvalidOperationException("no NodeLease is registered: shard leases need PostgreSQL");
    }

    public override Task<bool> Acquire() => _node.AcquireAsync(Settings.LeaseName, null);

    public override Task<bool> Acquire(Action<Exception> leaseLostCallback) => _node.AcquireAsync(Settings.LeaseName, leaseLostCallback);

    public override Task<bool> Release() => _node.ReleaseAsync(Settings.LeaseName);

    public override bool CheckLease() => _node.Holds(Settings.LeaseName);
}

/// <summary>The Akka.Hosting option that names <see cref="PostgresShardLease"/> for <c>ShardOptions.LeaseImplementation</c>.</summary>
public sealed class PostgresShardLeaseOption : LeaseOptionBase
{
    public static readonly PostgresShardLeaseOption Instance = new();

    public override string ConfigPath => "actorquotes.shard-lease";

    public override Type Class => typeof(PostgresShardLease);

    /// <summary>Nothing to add: the block at <see cref="ConfigPath"/> is in hocon/actorquotes.hocon.</summary>
    public override void Apply(AkkaConfigurationBuilder builder, Akka.Actor.Setup.Setup? setup = null)
    {
    }
}
