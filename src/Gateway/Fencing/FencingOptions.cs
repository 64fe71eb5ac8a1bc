namespace ActorQuotes.Gateway.Fencing;

/// <summary>
/// How a node proves it may still write (configuration section <c>Fencing</c>); docs/architecture.md,
/// "Fencing". The lease settings apply on PostgreSQL only; the watchdog on any node of a cluster of several.
/// </summary>
public sealed class FencingOptions
{
    public const string Section = "Fencing";

    /// <summary>
    /// How long the database keeps this node's lease after its last renewal. Once it has run out, another node
    /// may take this node's shards, and from then on the database refuses this node's writes. A killed node's
    /// shards move no sooner than this, so it is kept below the time the cluster takes to down a node.
    /// </summary>
    public TimeSpan NodeLeaseTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the node renews its lease; at most a third of <see cref="NodeLeaseTtl"/>.</summary>
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long PostgreSQL lets a journal transaction sit idle before it ends it: a frozen node's open
    /// transaction must not hold up the node that takes its shards over for the whole freeze.
    /// </summary>
    public TimeSpan IdleTransactionTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A node of a cluster whose own process stood still longer than this (a SIGSTOP, a paused VM, a stall)
    /// may have been downed meanwhile: it stops serving and exits. Null: the cluster failure detector's
    /// acceptable heartbeat pause (Node:AcceptableHeartbeatPause, 3 s by default).
    /// </summary>
    public TimeSpan? WatchdogPause { get; set; }

    /// <summary>Why these options cannot work, or null.</summary>
    public string? Validate()
    {
        if (NodeLeaseTtl <= TimeSpan.Zero || RenewInterval <= TimeSpan.Zero || IdleTransactionTimeout <= TimeSpan.Zero)
        {
            return "Fencing:NodeLeaseTtl, Fencing:RenewInterval and Fencing:IdleTransactionTimeout must be positive.";
        }

        if (RenewInterval.Ticks * 3 > NodeLeaseTtl.Ticks)
        {
            return "Fencing:RenewInterval must be at most a third of Fencing:NodeLeaseTtl.";
        }

        return WatchdogPause is { } pause && pause <= TimeSpan.FromMilliseconds(500)
            ? "Fencing:WatchdogPause must be more than 500 ms."
            : null;
    }
}
