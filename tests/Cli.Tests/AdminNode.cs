using ActorQuotes.Gateway.Admin;
using ActorQuotes.Gateway.Tests;
using Microsoft.Extensions.DependencyInjection;

namespace ActorQuotes.Cli.Tests;

/// <summary>
/// A node as aq sees it: its admin endpoint (host:port), the key, and its public API for making traffic.
/// The cluster tests of the multi-node fixture hand in one of these per node.
/// </summary>
public sealed record AdminNode(string Admin, string Key, GatewayHost Host)
{
    public Uri AdminUri => new("http://" + Admin + "/");

    public static AdminNode Of(GatewayHost host, string key)
    {
        var address = host.Services.GetRequiredService<AdminServer>().Address
                      ?? throw new InvalidOperationException("the admin endpoint is off");
        return new AdminNode(address.Authority, key, host);
    }
}

/// <summary>One real node (Kestrel, Akka cluster of one, SQLite) with the admin endpoint on a free port, shared by a collection.</summary>
public sealed class AdminNodeFixture : IAsyncLifetime
{
    public const string Key = "test-admin-key-0123456789";
    public const string FeedKey = "test-feed-key";

    private GatewayHost? _host;

    public AdminNode Node { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await GatewayHost.StartAsync(null,
            "--Admin:Key=" + Key,
            "--Admin:Port=0",
            "--Feeds:Ingest:ApiKeys:0=" + FeedKey,
            "--Streaming:FrameInterval=00:00:00.050",
            "--Streaming:HeartbeatAfter=00:05:00"); // frame counts in tests are exact: no heartbeat in between
        Node = AdminNode.Of(_host, Key);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    /// <summary>A username no other test uses.</summary>
    public static string NewUsername(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..12];
}

[CollectionDefinition(Name)]
public sealed class AdminNodeCollection : ICollectionFixture<AdminNodeFixture>
{
    public const string Name = "admin node";
}
