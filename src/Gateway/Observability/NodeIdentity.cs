using Akka.Actor;
using Akka.Cluster;

namespace ActorQuotes.Gateway.Observability;

/// <summary>
/// The node's cluster address, for every log line. Until the actor system has bound its port it is the
/// configured <c>Node:Hostname:Node:Port</c> (port 0 shows as such); <see cref="NodeIdentityPublisher"/>
/// sets the real one.
/// </summary>
public sealed class NodeIdentity
{
    public NodeIdentity(Microsoft.Extensions.Options.IOptions<Hosting.NodeOptions> node) =>
        Address = $"akka.tcp://{Hosting.AkkaSetup.SystemName}@{node.Value.Hostname}:{node.Value.Port}";

    public string Address { get; set; }
}

/// <summary>Publishes the bound address to <see cref="NodeIdentity"/> once the actor system runs.</summary>
public sealed class NodeIdentityPublisher(IServiceProvider services, NodeIdentity identity) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        identity.Address = Cluster.Get(services.GetRequiredService<ActorSystem>()).SelfAddress.ToString();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
