using System.ComponentModel.DataAnnotations;

namespace ActorQuotes.Gateway.Hosting;

/// <summary>This node's place in the cluster (configuration section <c>Node</c>).</summary>
public sealed class NodeOptions
{
    public const string Section = "Node";

    /// <summary>Address Akka.Remote binds to. Loopback unless the node must be reached from other hosts.</summary>
    [Required]
    public string Hostname { get; set; } = "127.0.0.1";

    /// <summary>Akka.Remote port; 0 picks a free one (fine for a single node that seeds itself).</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    /// <summary>Seed node addresses (akka.tcp://actorquotes@host:port). Empty: this node forms a cluster of one.</summary>
    public string[] SeedNodes { get; set; } = [];
}
