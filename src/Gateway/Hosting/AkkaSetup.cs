using ActorQuotes.Actors.Accounts;
using ActorQuotes.Actors.Catalog;
using ActorQuotes.Actors.Feeds;
using ActorQuotes.Actors.Ids;
using ActorQuotes.Actors.Sessions;
using ActorQuotes.Actors.Tickers;
using ActorQuotes.Actors.Watchlists;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Routing;
using ActorQuotes.Contracts.Serialization;
using ActorQuotes.Gateway.Fencing;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Hosting;
using Akka.Persistence.Hosting;
using Akka.Persistence.Sql.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Remote.Hosting;
using LinqToDB;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Hosting;

/// <summary>The actor system of a node: cluster, sharding, pub-sub, persistence, feeds.</summary>
public static class AkkaSetup
{
    public const string SystemName = "actorquotes";

    public static IServiceCollection AddActorQuotesAkka(this IServiceCollection services)
    {
        services.AddSingleton<DataDirectoryLock>();
        services.AddAkka(SystemName, (builder, provider) =>
        {
            var node = provider.GetRequiredService<IOptions<NodeOptions>>().Value;
            var storage = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            var roles = node.ParsedRoles();
            var lifetime = provider.GetRequiredService<IHostApplicationLifetime>();
            var streaming = provider.GetRequiredService<IOptions<StreamingOptions>>().Value;
            var lease = provider.GetRequiredService<NodeLeaseHolder>().Lease;
            var fencing = provider.GetRequiredService<IOptions<FencingOptions>>().Value;

            builder
                .AddHoconFile(Path.Combine(AppContext.BaseDirectory, "hocon", "actorquotes.hocon"), HoconAddMode.Prepend)
                .AddHocon(ClusterHocon(node), HoconAddMode.Prepend)
                .AddHocon(StreamingDispatcherHocon(streaming), HoconAddMode.Prepend)
                .ConfigureLoggers(loggers =>
                {
                    loggers.LogLevel = Akka.Event.LogLevel.InfoLevel;
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithActorQuotesSerializer()
                .WithRemoting(new RemoteOptions
                {
                    HostName = node.Hostname,
                    Port = node.Port,
                    PublicHostName = string.IsNullOrWhiteSpace(node.PublicHostname) ? null : node.PublicHostname,
                })
                .WithClustering(new ClusterOptions
                {
                    SeedNodes = node.SeedNodes.Where(s => !string.IsNullOrWhiteSpace(s)).ToArray(),
                    Roles = roles.Names.ToArray(),
                    // The side with more than half of the last known members stays; the rest down themselves.
                    SplitBrainResolver = new KeepMajorityOption(),
                })
                .WithDistributedPubSub(role: null!)
                .WithActorQuotesPersistence(storage, provider.GetRequiredService<DataDirectoryLock>(), lease, fencing)
                .WithWatchlistRegions(roles, provider, fenced: lease is not null)
                .WithQuoteRegionAndFeeds(roles, provider, fenced: lease is not null)
                .WithActors((system, registry) =>
                {
                    // Downed, removed or quarantined: this node stops answering at once (NodeFence).
                    system.ActorOf(FenceWatcher.Props(provider.GetRequiredService<NodeFence>()), "fence-watcher");
                    if (lease is not null)
                    {
                        var self = Cluster.Get(system).SelfAddress.ToString();
                        var log = provider.GetRequiredService<ILogger<NodeLease>>();
                        _ = lease.ClaimAddressAsync(self).ContinueWith(
                            t => log.LogWarning(t.Exception, "Could not claim {Address}; a predecessor's shards move when its lease runs out", self),
                            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                    }

                    // The node's quote fan-out for its sockets: one pub-sub subscriber per followed symbol.
                    registry.Register<QuoteHubActor>(system.ActorOf(
                        QuoteHubActor.Props(DistributedPubSub.Get(system).Mediator, registry.Get<TickerActor>(), StreamingOptions.Dispatcher),
                        "quote-hub"));

                    // The journal's first recovery is paid now, before /health/ready says so, not by a user's request.
                    provider.GetRequiredService<JournalWarmup>().Start(system);

                    if (node.SeedNodes.All(string.IsNullOrWhiteSpace))
                    {
                        // A cluster of one: this node is its own seed (its port may be chosen by the OS).
                        var cluster = Cluster.Get(system);
                        cluster.Join(cluster.SelfAddress);
                    }

                    // Downed by the split-brain resolver, or left after failing to join: the actor system ends on
                    // its own, and a node without one must not keep answering HTTP. The process exits, and its
                    // supervisor (systemd, Kubernetes) starts a fresh incarnation that joins cleanly.
                    system.WhenTerminated.ContinueWith(_ => lifetime.StopApplication(), TaskScheduler.Default);
                });
        });
        return services;
    }

    /// <summary>
    /// Session actors and the quote fan-out run on their own threads rather than on the .NET thread pool.
    /// On the pool, thousands of mailbox runs per second queued ahead of Kestrel's socket sends, so output
    /// pipes stayed mid-flush and every frame took Kestrel's slower buffered path
    /// (docs/decisions/0005-streaming-dispatcher.md).
    /// </summary>
    private static string StreamingDispatcherHocon(StreamingOptions streaming) => $$"""
        {{StreamingOptions.Dispatcher}} {
          type = ForkJoinDispatcher
          throughput = 30
          dedicated-thread-pool {
            thread-count = {{streaming.DispatcherThreads}}
            threadtype = background
          }
        }
        """;

    /// <summary>Settings that depend on configuration but have no typed Akka.Hosting option.</summary>
    private static string ClusterHocon(NodeOptions node)
    {
        var stableAfter = (long)node.DowningStableAfter.TotalMilliseconds;
        var removalMargin = (long)node.DownRemovalMargin.TotalMilliseconds;
        var pause = (long)node.AcceptableHeartbeatPause.TotalMilliseconds;
        return $$"""
            akka.cluster.split-brain-resolver.stable-after = {{stableAfter}}ms
            akka.cluster.down-removal-margin = {{removalMargin}}ms
            akka.cluster.failure-detector.acceptable-heartbeat-pause = {{pause}}ms
            akka.remote.watch-failure-detector.acceptable-heartbeat-pause = {{pause}}ms
            akka.cluster.shutdown-after-unsuccessful-join-seed-nodes = {{(node.IsMultiNode() ? "60s" : "off")}}
            """;
    }

    /// <param name="fenced">
    /// On PostgreSQL each shard holds a lease before it starts an entity (<see cref="PostgresShardLease"/>): a
    /// shard moves only once its last host can no longer write (docs/architecture.md, "Fencing").
    /// </param>
    private static ShardOptions EntityShards(string role, bool fenced) => new()
    {
        LeaseImplementation = fenced ? PostgresShardLeaseOption.Instance : null,
        LeaseRetryInterval = fenced ? TimeSpan.FromSeconds(1) : null,
        Role = role,
        StateStoreMode = StateStoreMode.DData,
        RememberEntities = false,
        HandOffStopMessage = StopEntity.Instance,
        // Idle entities leave memory and come back from the journal on their next message.
        ShouldPassivateIdleEntities = true,
        PassivateIdleEntityAfter = TimeSpan.FromMinutes(2),
    };

    /// <summary>
    /// Watchlists, accounts and the id sequences live on <c>watchlists</c> nodes; every other node reaches
    /// them through a proxy registered under the same key, so the gateway code does not know the difference.
    /// </summary>
    private static AkkaConfigurationBuilder WithWatchlistRegions(this AkkaConfigurationBuilder builder, NodeRoles roles, IServiceProvider provider, bool fenced)
    {
        const string role = NodeRoles.WatchlistsRole;
        if (!roles.Watchlists)
        {
            return builder
                .WithShardRegionProxy<WatchlistActor>(ShardRegions.Watchlist, role, new WatchlistMessageExtractor())
                .WithShardRegionProxy<AccountActor>(ShardRegions.Account, role, new AccountMessageExtractor())
                .WithShardRegionProxy<IdSequenceActor>(ShardRegions.IdSequence, role, new IdSequenceMessageExtractor());
        }

        var catalog = provider.GetRequiredService<CompanyCatalog>();
        var clock = provider.GetRequiredService<TimeProvider>();
        return builder
            .WithShardRegion<WatchlistActor>(
                ShardRegions.Watchlist,
                (system, _, _) => entityId => WatchlistActor.EntityProps(
                    long.Parse(entityId, System.Globalization.CultureInfo.InvariantCulture),
                    catalog,
                    DistributedPubSub.Get(system).Mediator,
                    clock),
                new WatchlistMessageExtractor(),
                EntityShards(role, fenced))
            .WithShardRegion<AccountActor>(
                ShardRegions.Account,
                (system, _, _) => entityId => AccountActor.EntityProps(entityId, DistributedPubSub.Get(system).Mediator, clock),
                new AccountMessageExtractor(),
                EntityShards(role, fenced))
            .WithShardRegion<IdSequenceActor>(
                ShardRegions.IdSequence,
                (_, _, _) => IdSequenceActor.Props,
                new IdSequenceMessageExtractor(),
                EntityShards(role, fenced));
    }

    /// <summary>
    /// Tickers live on <c>quotes</c> nodes (a proxy elsewhere). The simulated and replay feeds are cluster
    /// singletons on the <c>quotes</c> role: one of each in the cluster however many quotes nodes run, moved
    /// to the next-oldest quotes node when theirs leaves or is downed.
    /// </summary>
    private static AkkaConfigurationBuilder WithQuoteRegionAndFeeds(this AkkaConfigurationBuilder builder, NodeRoles roles, IServiceProvider provider, bool fenced)
    {
        const string role = NodeRoles.QuotesRole;
        if (!roles.Quotes)
        {
            return builder.WithShardRegionProxy<TickerActor>(ShardRegions.Ticker, role, new TickerMessageExtractor());
        }

        var catalog = provider.GetRequiredService<CompanyCatalog>();
        var clock = provider.GetRequiredService<TimeProvider>();
        var tickerOptions = provider.GetRequiredService<IOptions<TickerOptions>>().Value;
        var simulated = provider.GetRequiredService<IOptions<SimulatedFeedOptions>>().Value;
        var replay = provider.GetRequiredService<IOptions<ReplayFeedOptions>>().Value;
        var feedLogger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("ActorQuotes.Feeds");
        var singleton = new ClusterSingletonOptions { Role = role };

        builder.WithShardRegion<TickerActor>(
            ShardRegions.Ticker,
            (system, _, _) => entityId => catalog.Find(entityId) is { } company
                ? TickerActor.Props(company, DistributedPubSub.Get(system).Mediator, tickerOptions, clock)
                : UnknownTickerActor.Props(entityId),
            new TickerMessageExtractor(),
            EntityShards(role, fenced));

        var feeds = new List<string>();
        if (simulated.Enabled)
        {
            feeds.Add(FeedSetup.SimulatedFeedName);
            builder.WithSingleton<SimulatedFeedActor>(
                FeedSetup.SimulatedFeedName,
                (_, registry, _) => SimulatedFeedActor.Props(catalog, registry.Get<TickerActor>(), simulated, clock),
                singleton,
                createProxyToo: false);
        }

        if (replay.Enabled)
        {
            // Read now, so a missing or broken file stops this node at start, not when the singleton lands here.
            var rows = FeedSetup.LoadReplay(replay, feedLogger);
            feeds.Add(FeedSetup.ReplayFeedName);
            builder.WithSingleton<ReplayFeedActor>(
                FeedSetup.ReplayFeedName,
                (_, registry, _) => ReplayFeedActor.Props(rows, registry.Get<TickerActor>(), replay, clock),
                singleton,
                createProxyToo: false);
        }

        return builder.WithActors((system, _) =>
            // A leaving node stops the feed it runs first, so its shard regions are not handing off under a
            // stream of ticks. The singleton manager then hands the feed to the next-oldest quotes node.
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "stop-feeds", async () =>
            {
                await Task.WhenAll(feeds.Select(name => StopLocalSingleton(system, name)));
                return Akka.Done.Instance;
            }));
    }

    private static async Task StopLocalSingleton(ActorSystem system, string managerName)
    {
        try
        {
            var running = await system.ActorSelection($"/user/{managerName}/{managerName}").ResolveOne(TimeSpan.FromSeconds(1));
            await running.GracefulStop(TimeSpan.FromSeconds(3));
        }
        catch (Exception e) when (e is ActorNotFoundException or TaskCanceledException or TimeoutException)
        {
            // The feed runs on another quotes node (or not at all): nothing to stop here.
        }
    }

    /// <summary>Binds every <see cref="IActorQuotesMessage"/> to <see cref="ActorQuotesSerializer"/>.</summary>
    public static AkkaConfigurationBuilder WithActorQuotesSerializer(this AkkaConfigurationBuilder builder) =>
        builder.WithCustomSerializer(
            ActorQuotesSerializer.Name,
            [typeof(IActorQuotesMessage)],
            system => new ActorQuotesSerializer(system));

    /// <summary>Journal and snapshot store on SQLite or PostgreSQL (Akka.Persistence.Sql), tables created on start.</summary>
    /// <remarks>With a <paramref name="lease"/>, journal connections carry its name, which the fence trigger checks.</remarks>
    public static AkkaConfigurationBuilder WithActorQuotesPersistence(
        this AkkaConfigurationBuilder builder, StorageOptions storage, DataDirectoryLock? dataLock = null,
        NodeLease? lease = null, FencingOptions? fencing = null) =>
        builder.WithSqlPersistence(
            connectionString: lease is null
                ? ConnectionString(storage, dataLock)
                : NodeLease.JournalConnectionString(ConnectionString(storage, dataLock), lease.Owner, fencing ?? new FencingOptions()),
            providerName: storage.IsPostgreSql ? ProviderName.PostgreSQL15 : ProviderName.SQLiteMS,
            mode: PersistenceMode.Both,
            autoInitialize: true);

    /// <summary>The journal's connection string; for SQLite also creates the folder and turns on WAL.</summary>
    /// <remarks>With <paramref name="dataLock"/>, also takes the data folder's lock (one process per SQLite file).</remarks>
    public static string ConnectionString(StorageOptions storage, DataDirectoryLock? dataLock = null)
    {
        if (!storage.IsSqlite)
        {
            return storage.ConnectionString
                   ?? throw new OptionsValidationException(StorageOptions.Section, typeof(StorageOptions),
                       ["Storage:ConnectionString is required when Storage:Provider is postgresql."]);
        }

        if (storage.ConnectionString is { } given)
        {
            return given;
        }

        // One process per SQLite file: a second node on the same folder would be a second cluster writing
        // the same journal. The lock is held until the host is disposed (or the process dies).
        Directory.CreateDirectory(storage.FullDataDirectory);
        dataLock?.Acquire(storage.FullDataDirectory);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(storage.FullDataDirectory, "actorquotes.db"),
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();

        try
        {
            // WAL lets readers run beside the single writer; it is a property of the file, set once.
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA journal_mode=WAL;";
            pragma.ExecuteNonQuery();
        }
        catch (SqliteException e)
        {
            // Not a file SQLite can open and write (not a database, no space for its WAL): a message, not a stack trace.
            throw new NodeConfigurationException(
                $"The SQLite database in Storage:DataDirectory {storage.FullDataDirectory} cannot be opened: {e.Message}", e);
        }

        return connectionString;
    }
}
