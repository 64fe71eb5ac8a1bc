using ActorQuotes.Gateway.Hosting;
using ActorQuotes.Gateway.Problems;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Fencing;

/// <summary>Registers the node's fence and, on PostgreSQL, its lease; <see cref="UseNodeFence"/> refuses requests once it has tripped.</summary>
public static class FencingSetup
{
    /// <summary>The tables the fence trigger guards (Akka.Persistence.Sql's default names).</summary>
    private static readonly string[] FencedTables = ["journal", "snapshot"];

    /// <summary>Must come before the actor system: the lease is taken before any journal write, and given back after the last.</summary>
    public static IServiceCollection AddNodeFencing(this IServiceCollection services)
    {
        services.AddOptions<FencingOptions>().BindConfiguration(FencingOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FencingOptions>, FencingOptionsValidator>();
        services.AddSingleton(provider =>
        {
            var node = provider.GetRequiredService<IOptions<NodeOptions>>().Value;
            var fencing = provider.GetRequiredService<IOptions<FencingOptions>>().Value;
            // A cluster of one has nobody to down it: a laptop that sleeps must not stop its node on waking.
            var pause = node.IsMultiNode() ? fencing.WatchdogPause ?? node.AcceptableHeartbeatPause : (TimeSpan?)null;
            return new NodeFence(provider.GetRequiredService<IHostApplicationLifetime>(), provider.GetRequiredService<ILogger<NodeFence>>(), pause);
        });
        services.AddSingleton(provider =>
        {
            var storage = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            return storage.IsPostgreSql
                ? new NodeLeaseHolder(new NodeLease(AkkaSetup.ConnectionString(storage), FencedTables,
                    provider.GetRequiredService<IOptions<FencingOptions>>().Value, provider.GetRequiredService<ILogger<NodeLease>>()))
                : new NodeLeaseHolder(null);
        });
        services.AddSingleton(provider => provider.GetRequiredService<NodeLeaseHolder>().Lease!);
        services.AddHostedService<NodeLeaseService>();
        return services;
    }

    /// <summary>Once the fence has tripped, every request but the health checks gets 503 <c>unavailable</c>: nothing reaches the cluster.</summary>
    public static IApplicationBuilder UseNodeFence(this IApplicationBuilder app)
    {
        var fence = app.ApplicationServices.GetRequiredService<NodeFence>();
        return app.Use(async (context, next) =>
        {
            if (fence.Reason is { } reason && !context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal))
            {
                await ApiProblems.ServiceUnavailable($"this node stopped serving ({reason}); nothing was changed: use another node")
                    .ExecuteAsync(context);
                return;
            }

            await next(context);
        });
    }
}

/// <summary>The node lease, or null on SQLite (one node, nobody to fence).</summary>
public sealed record NodeLeaseHolder(NodeLease? Lease);

/// <summary>Takes the node lease before the actor system starts and gives it back after it has stopped.</summary>
internal sealed class NodeLeaseService(NodeLeaseHolder holder, NodeFence fence, IOptions<NodeOptions> node) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (holder.Lease is { } lease)
        {
            lease.Lost += reason => fence.Trip("its node lease was lost: " + reason);
            // A node that stopped serving gives its lease back at once rather than when its shutdown ends: the
            // node that takes its shards over need not wait for the lease to run out, and any write of this
            // node still on its way is refused by the fence trigger.
            fence.Tripped += () => _ = lease.ReleaseNodeAsync();
            var options = node.Value;
            // In the background: the shards wait for it (AcquireAsync says no until it is taken), the host does not.
            _ = lease.KeepTryingToStartAsync($"{options.PublicHostname ?? options.Hostname}:{options.Port} pid {Environment.ProcessId}");
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (holder.Lease is { } lease)
        {
            await lease.ReleaseNodeAsync();
            lease.Dispose();
        }
    }
}

/// <summary>Start-time check of <see cref="FencingOptions"/>: a wrong setting stops the node with a message naming it.</summary>
internal sealed class FencingOptionsValidator : IValidateOptions<FencingOptions>
{
    public ValidateOptionsResult Validate(string? name, FencingOptions options) =>
        options.Validate() is { } error ? ValidateOptionsResult.Fail(error) : ValidateOptionsResult.Success;
}
