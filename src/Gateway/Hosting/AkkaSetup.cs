using ActorQuotes.Actors.Accounts;
using ActorQuotes.Actors.Catalog;
using ActorQuotes.Actors.Feeds;
using ActorQuotes.Actors.Ids;
using ActorQuotes.Actors.Tickers;
using ActorQuotes.Actors.Watchlists;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Routing;
using ActorQuotes.Contracts.Serialization;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Hosting;
using Akka.Persistence.Hosting;
using Akka.Persistence.Sql.Hosting;
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
        services.AddAkka(SystemName, (builder, provider) =>
        {
            var node = provider.GetRequiredService<IOptions<NodeOptions>>().Value;
            var storage = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            var feed = provider.GetRequiredService<IOptions<SimulatedFeedOptions>>().Value;
            var tickerOptions = provider.GetRequiredService<IOptions<TickerOptions>>().Value;
            var replay = provider.GetRequiredService<IOptions<ReplayFeedOptions>>().Value;
            var feedLogger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("ActorQuotes.Feeds");
            var catalog = provider.GetRequiredService<CompanyCatalog>();
            var clock = provider.GetRequiredService<TimeProvider>();

            var shardOptions = new ShardOptions
            {
                StateStoreMode = StateStoreMode.DData,
                RememberEntities = false,
                HandOffStopMessage = StopEntity.Instance,
                // Idle entities leave memory and come back from the journal on their next message.
                ShouldPassivateIdleEntities = true,
                PassivateIdleEntityAfter = TimeSpan.FromMinutes(2),
            };

            builder
                .AddHoconFile(Path.Combine(AppContext.BaseDirectory, "hocon", "actorquotes.hocon"), HoconAddMode.Prepend)
                .ConfigureLoggers(loggers =>
                {
                    loggers.LogLevel = Akka.Event.LogLevel.InfoLevel;
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithActorQuotesSerializer()
                .WithRemoting(node.Hostname, node.Port)
                .WithClustering(new ClusterOptions { SeedNodes = node.SeedNodes })
                .WithDistributedPubSub(role: null!)
                .WithActorQuotesPersistence(storage)
                .WithShardRegion<WatchlistActor>(
                    ShardRegions.Watchlist,
                    (system, _, _) => entityId => WatchlistActor.EntityProps(
                        long.Parse(entityId, System.Globalization.CultureInfo.InvariantCulture),
                        catalog,
                        DistributedPubSub.Get(system).Mediator,
                        clock),
                    new WatchlistMessageExtractor(),
                    shardOptions)
                .WithShardRegion<AccountActor>(
                    ShardRegions.Account,
                    (system, _, _) => entityId => AccountActor.EntityProps(entityId, DistributedPubSub.Get(system).Mediator, clock),
                    new AccountMessageExtractor(),
                    shardOptions)
                .WithShardRegion<IdSequenceActor>(
                    ShardRegions.IdSequence,
                    (_, _, _) => IdSequenceActor.Props,
                    new IdSequenceMessageExtractor(),
                    shardOptions)
                .WithShardRegion<TickerActor>(
                    ShardRegions.Ticker,
                    (system, _, _) => entityId => catalog.Find(entityId) is { } company
                        ? TickerActor.Props(company, DistributedPubSub.Get(system).Mediator, tickerOptions, clock)
                        : UnknownTickerActor.Props(entityId),
                    new TickerMessageExtractor(),
                    shardOptions)
                .WithActors((system, registry) =>
                {
                    if (node.SeedNodes.Length == 0)
                    {
                        // A cluster of one: this node is its own seed (its port may be chosen by the OS).
                        var cluster = Cluster.Get(system);
                        cluster.Join(cluster.SelfAddress);
                    }

                    var tickers = registry.Get<TickerActor>();
                    var feeds = new List<IActorRef>();
                    if (feed.Enabled)
                    {
                        feeds.Add(system.ActorOf(SimulatedFeedActor.Props(catalog, tickers, feed, clock), "simulated-feed"));
                    }

                    if (replay.Enabled)
                    {
                        feeds.Add(FeedSetup.StartReplayFeed(system, tickers, replay, clock, feedLogger));
                    }

                    // Feeds stop first on shutdown, so shard regions are not handing off under a stream of ticks.
                    CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "stop-feeds", async () =>
                    {
                        await Task.WhenAll(feeds.Select(f => f.GracefulStop(TimeSpan.FromSeconds(3))));
                        return Akka.Done.Instance;
                    });
                });
        });
        return services;
    }

    /// <summary>Binds every <see cref="IActorQuotesMessage"/> to <see cref="ActorQuotesSerializer"/>.</summary>
    public static AkkaConfigurationBuilder WithActorQuotesSerializer(this AkkaConfigurationBuilder builder) =>
        builder.WithCustomSerializer(
            ActorQuotesSerializer.Name,
            [typeof(IActorQuotesMessage)],
            system => new ActorQuotesSerializer(system));

    /// <summary>Journal and snapshot store on SQLite or PostgreSQL (Akka.Persistence.Sql), tables created on start.</summary>
    public static AkkaConfigurationBuilder WithActorQuotesPersistence(this AkkaConfigurationBuilder builder, StorageOptions storage) =>
        builder.WithSqlPersistence(
            connectionString: ConnectionString(storage),
            providerName: storage.IsPostgreSql ? ProviderName.PostgreSQL15 : ProviderName.SQLiteMS,
            mode: PersistenceMode.Both,
            autoInitialize: true);

    /// <summary>The journal's connection string; for SQLite also creates the folder and turns on WAL.</summary>
    public static string ConnectionString(StorageOptions storage)
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

        Directory.CreateDirectory(storage.FullDataDirectory);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(storage.FullDataDirectory, "actorquotes.db"),
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();

        // WAL lets readers run beside the single writer; it is a property of the file, set once.
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode=WAL;";
        pragma.ExecuteNonQuery();
        return connectionString;
    }
}
