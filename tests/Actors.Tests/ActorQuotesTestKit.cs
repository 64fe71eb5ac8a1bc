using ActorQuotes.Actors.Catalog;
using ActorQuotes.Gateway.Hosting;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;

namespace ActorQuotes.Actors.Tests;

/// <summary>
/// An actor system configured like a node: our serializer, a real SQLite journal in a temp file, and a
/// cluster of one with DistributedPubSub. Each test class instance gets its own database.
/// </summary>
public abstract class ActorQuotesTestKit(ITestOutputHelper output) : Akka.Hosting.TestKit.TestKit(output: output)
{
    protected static readonly CompanyCatalog Catalog = CompanyCatalog.LoadEmbedded();

    protected string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "aq-actors-" + Guid.NewGuid().ToString("N"));

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
        builder
            .AddHoconFile(Path.Combine(AppContext.BaseDirectory, "testkit.hocon"), HoconAddMode.Prepend)
            .WithActorQuotesSerializer()
            .WithRemoting("127.0.0.1", 0)
            .WithClustering(new ClusterOptions())
            .WithDistributedPubSub(role: null!)
            .WithActorQuotesPersistence(new StorageOptions { DataDirectory = DataDirectory })
            .AddStartup((system, _) =>
            {
                var cluster = Cluster.Get(system);
                cluster.Join(cluster.SelfAddress);
            });
    }

    protected override async Task AfterAllAsync()
    {
        await base.AfterAllAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // left for the OS temp cleaner
        }
    }
}

/// <summary>A clock tests move by hand.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
