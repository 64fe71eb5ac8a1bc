using System.Data.Common;
using System.Text.Json;
using ActorQuotes.Actors.Accounts;
using ActorQuotes.Actors.Ids;
using ActorQuotes.Actors.Tickers;
using ActorQuotes.Actors.Watchlists;
using ActorQuotes.Gateway.Fencing;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ActorQuotes.Gateway.Hosting;

/// <summary>
/// <c>/health/live</c>: the process answers. <c>/health/ready</c>: this node is an Up member that is not
/// shutting down, its journal database answers, and every shard region (or proxy) reaches its coordinator.
/// Load balancers and Kubernetes send traffic only to ready nodes; a live but unready node is left alone.
/// </summary>
public static class HealthEndpoints
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    private const string ReadyTag = "ready";

    /// <summary>How long one readiness probe may take before it counts as a failure.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    public static IServiceCollection AddActorQuotesHealthChecks(this IServiceCollection services)
    {
        services.AddSingleton<JournalDatabaseCheck>();
        services.AddSingleton<CoordinatorsReached>();
        services.AddHealthChecks()
            .AddCheck<FenceCheck>("fence", tags: [ReadyTag], timeout: ProbeTimeout)
            .AddCheck<ClusterMemberCheck>("cluster-member", tags: [ReadyTag], timeout: ProbeTimeout)
            .AddCheck<JournalDatabaseCheck>("journal", tags: [ReadyTag], timeout: ProbeTimeout)
            .AddCheck<ShardRegionsCheck>("shard-regions", tags: [ReadyTag], timeout: ProbeTimeout)
            .AddCheck<Auth.RevocationsLoadedCheck>("revocations", tags: [ReadyTag], timeout: ProbeTimeout);
        return services;
    }

    public static IEndpointRouteBuilder MapActorQuotesHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteJson })
            .AllowAnonymous();
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteJson })
            .AllowAnonymous();
        return app;
    }

    /// <summary><c>{"status":"Healthy","checks":{"journal":{"status":"Healthy","description":"…"}}}</c></summary>
    private static Task WriteJson(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        var body = new Dictionary<string, object?>
        {
            ["status"] = report.Status.ToString(),
            ["checks"] = report.Entries.ToDictionary(
                e => e.Key,
                e => new Dictionary<string, string?> { ["status"] = e.Value.Status.ToString(), ["description"] = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted);
    }
}

/// <summary>Not ready once the node has stopped serving (<see cref="NodeFence"/>); on PostgreSQL, says how many shard leases it holds.</summary>
internal sealed class FenceCheck(NodeFence fence, NodeLeaseHolder lease) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(fence.Reason is { } reason
            ? HealthCheckResult.Unhealthy("stopped serving: " + reason)
            : lease.Lease is { IsHeld: false } waiting
                ? HealthCheckResult.Unhealthy($"node lease {waiting.Owner} not taken yet (the database does not answer)")
                : HealthCheckResult.Healthy(lease.Lease is { } held
                    ? $"serving; node lease {held.Owner} holds {held.ShardLeases} shard leases"
                    : "serving; no leases (SQLite, one node)"));
}

/// <summary>Ready only as an Up member of the cluster, and not once this node has begun to shut down.</summary>
internal sealed class ClusterMemberCheck(ActorSystem system) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (CoordinatedShutdown.Get(system).ShutdownReason is { } reason)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"shutting down ({reason.GetType().Name})"));
        }

        var cluster = Cluster.Get(system);
        var self = cluster.SelfMember;
        var up = cluster.State.Members.Count(m => m.Status == MemberStatus.Up);
        var unreachable = cluster.State.Unreachable.Count;
        return Task.FromResult(self.Status == MemberStatus.Up
            ? HealthCheckResult.Healthy(
                $"{self.Address} is Up with roles {string.Join(",", self.Roles.Where(r => !r.StartsWith("dc-", StringComparison.Ordinal)).Order())}; members up={up} unreachable={unreachable}")
            : HealthCheckResult.Unhealthy($"{self.Address} is {self.Status}"));
    }
}

/// <summary>
/// Opens a connection to the journal's database and runs <c>SELECT 1</c>. The probe's connections are not
/// pooled, so it never hands the journal a connection a database restart left broken, nor takes one from it.
/// Until the node's <see cref="JournalWarmup"/> has recovered its probe, the database may answer but the node
/// is not ready: the first entity to recover would pay the journal's start-up. On SQLite, a data folder with
/// less than <see cref="MinFreeBytes"/> free is not ready either: SQLite still answers reads there, but the
/// journal's writes fail ("database or disk is full") once the WAL it already has is used up, so a load
/// balancer should send the traffic elsewhere.
/// Nothing here throws: a probe that cannot even be built is an unhealthy answer, never a 500.
/// </summary>
internal sealed class JournalDatabaseCheck(IOptions<StorageOptions> storage, JournalWarmup warmup) : IHealthCheck
{
    /// <summary>
    /// Below this the next journal write may not fit: a write appends WAL frames (4 KiB pages, several per
    /// batch), a ticker snapshot is a few KiB, and a checkpoint needs room too. 1 MiB is hundreds of writes.
    /// </summary>
    public const long MinFreeBytes = 1024 * 1024;

    private string? _connectionString;

    private static string Unpooled(StorageOptions storage)
    {
        var connectionString = AkkaSetup.ConnectionString(storage);
        return storage.IsPostgreSql
            ? new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString
            : new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var options = storage.Value;
        try
        {
            _connectionString ??= Unpooled(options);
            await using DbConnection connection = options.IsPostgreSql
                ? new NpgsqlConnection(_connectionString)
                : new SqliteConnection(_connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken);
            if (options.IsSqlite && FreeBytes(connection) is { } free and < MinFreeBytes)
            {
                return HealthCheckResult.Unhealthy(
                    $"sqlite answers but its disk is full: {free} bytes free for {connection.DataSource} (under {MinFreeBytes}); journal writes fail or soon will");
            }

            return warmup.Elapsed is { } warm
                ? HealthCheckResult.Healthy($"{options.Provider} answers; the first recovery took {(long)warm.TotalMilliseconds} ms")
                : HealthCheckResult.Unhealthy($"{options.Provider} answers; the first recovery has not completed yet");
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or TimeoutException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"{options.Provider} does not answer: {e.GetType().Name}");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy($"{options.Provider} cannot be probed: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Bytes free to this process on the file system that holds the SQLite file, or null if that cannot be read.</summary>
    private static long? FreeBytes(DbConnection connection)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(connection.DataSource));
        if (string.IsNullOrEmpty(folder))
        {
            return null;
        }

        try
        {
            return new DriveInfo(folder).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}

/// <summary>
/// Every shard region and proxy answers <see cref="GetCurrentRegions"/>, which needs its coordinator. The
/// description also says how many entities of each type this node hosts (<c>watchlist=3</c>; a proxy hosts none).
/// </summary>
internal sealed class ShardRegionsCheck(
    IRequiredActor<WatchlistActor> watchlists,
    IRequiredActor<AccountActor> accounts,
    IRequiredActor<IdSequenceActor> ids,
    IRequiredActor<TickerActor> tickers,
    CoordinatorsReached reached) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var probes = await Task.WhenAll(
            Probe("watchlist", watchlists, cancellationToken),
            Probe("account", accounts, cancellationToken),
            Probe("id-sequence", ids, cancellationToken),
            Probe("ticker", tickers, cancellationToken));
        var failed = probes.Where(p => p.Entities is null).Select(p => p.Name).ToList();
        var hosted = string.Join(" ", probes.Select(p => $"{p.Name}={p.Entities?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}"));
        if (failed.Count == 0)
        {
            reached.Once = true;
            return HealthCheckResult.Healthy($"all shard regions reach their coordinators; entities here: {hosted}");
        }

        // Once this node has reached every coordinator, a coordinator that moves or a stalled node holding it is
        // the cluster's moment, not this node's inability to serve: saying unready on every node at once would
        // leave a load balancer with nowhere to send anything (issue 21). Degraded answers 200 and says so.
        var description = $"no coordinator answered for {string.Join(", ", failed)}; entities here: {hosted}";
        return reached.Once ? HealthCheckResult.Degraded(description) : HealthCheckResult.Unhealthy(description);
    }

    /// <summary>The entities the region hosts on this node, or null when it or its coordinator did not answer.</summary>
    private static async Task<(string Name, int? Entities)> Probe<T>(string name, IRequiredActor<T> region, CancellationToken cancellationToken)
    {
        try
        {
            var actor = await region.GetAsync(cancellationToken).WaitAsync(HealthEndpoints.ProbeTimeout, cancellationToken);
            // Half the probe's time each, so a silent coordinator is this check's answer (degraded), not the framework's timeout.
            var half = HealthEndpoints.ProbeTimeout / 2;
            await actor.Ask<CurrentRegions>(GetCurrentRegions.Instance, half, cancellationToken);
            var local = await actor.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, half, cancellationToken);
            return (name, local.Shards.Sum(shard => shard.EntityIds.Count));
        }
        catch (Exception e) when (e is AskTimeoutException or TimeoutException or OperationCanceledException)
        {
            return (name, null);
        }
    }
}

/// <summary>Whether this node's shard regions have all reached their coordinators once since it started.</summary>
internal sealed class CoordinatorsReached
{
    private volatile bool _once;

    public bool Once
    {
        get => _once;
        set => _once = value;
    }
}
