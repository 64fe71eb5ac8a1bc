using System.Net;
using ActorQuotes.Gateway.Hosting;
using ActorQuotes.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Tests.Cluster;

/// <summary>What a node refuses at start, and the health endpoints of a single node.</summary>
public sealed class NodeStartupTests
{
    [Fact(DisplayName = "Joining a cluster on SQLite is refused at start with a message that says to use PostgreSQL")]
    public async Task Cluster_on_sqlite_is_refused()
    {
        var data = TempDirectory();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayProcess.StartAsync(data,
            new Dictionary<string, string> { ["Node:SeedNodes:0"] = "akka.tcp://actorquotes@127.0.0.1:4051", ["Node:Port"] = "4051" }));

        Assert.Contains("exited before listening", error.Message, StringComparison.Ordinal);
        Assert.Contains("ActorQuotes cannot start: More than one node cannot run on SQLite", error.Message, StringComparison.Ordinal);
        Assert.Contains("Storage:Provider=postgresql", error.Message, StringComparison.Ordinal);
    }

    [Fact(DisplayName = "A streaming dispatcher without threads is refused at start, naming the setting")]
    public async Task Dispatcher_threads_are_checked()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayProcess.StartAsync(TempDirectory(),
            new Dictionary<string, string> { ["Streaming:DispatcherThreads"] = "0" }));

        Assert.Contains("Streaming:DispatcherThreads must be between 1 and 256", error.Message, StringComparison.Ordinal);
    }

    [Fact(DisplayName = "Node:AcceptableHeartbeatPause sets both failure detectors' pause, 3 s unless set; the failover settings reach Akka")]
    public async Task Acceptable_heartbeat_pause_reaches_the_failure_detectors()
    {
        const string Membership = "akka.cluster.failure-detector.acceptable-heartbeat-pause";
        const string Watch = "akka.remote.watch-failure-detector.acceptable-heartbeat-pause";
        await using (var byDefault = await GatewayHost.StartAsync())
        {
            var config = byDefault.Services.GetRequiredService<Akka.Actor.ActorSystem>().Settings.Config;
            Assert.Equal(TimeSpan.FromSeconds(3), config.GetTimeSpan(Membership));
            Assert.Equal(TimeSpan.FromSeconds(3), config.GetTimeSpan(Watch));
            Assert.Equal(TimeSpan.FromSeconds(5), config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
            Assert.Equal(TimeSpan.FromSeconds(2), config.GetTimeSpan("akka.cluster.sharding.updating-state-timeout"));
            Assert.Equal(TimeSpan.FromMilliseconds(500), config.GetTimeSpan("akka.cluster.down-removal-margin"));
            Assert.Equal(TimeSpan.FromMilliseconds(500), config.GetTimeSpan("akka.cluster.failure-detector.heartbeat-interval"));
            Assert.Equal(TimeSpan.FromMilliseconds(500), config.GetTimeSpan("akka.cluster.sharding.retry-interval"));
        }

        await using var raised = await GatewayHost.StartAsync(null, "--Node:AcceptableHeartbeatPause=00:02:30");
        var raisedConfig = raised.Services.GetRequiredService<Akka.Actor.ActorSystem>().Settings.Config;
        Assert.Equal(TimeSpan.FromSeconds(150), raisedConfig.GetTimeSpan(Membership));
        Assert.Equal(TimeSpan.FromSeconds(150), raisedConfig.GetTimeSpan(Watch));
    }

    [Theory(DisplayName = "A heartbeat pause of zero or over an hour is refused at start, naming the setting")]
    [InlineData("00:00:00")]
    [InlineData("01:00:01")]
    public async Task Acceptable_heartbeat_pause_is_checked(string pause)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayProcess.StartAsync(TempDirectory(),
            new Dictionary<string, string> { ["Node:AcceptableHeartbeatPause"] = pause }));

        Assert.Contains("Node:AcceptableHeartbeatPause must be more than 0 and at most 01:00:00", error.Message, StringComparison.Ordinal);
    }

    [Fact(DisplayName = "A second node on the same SQLite folder is refused while the first runs, and starts once the first is gone")]
    public async Task Second_process_on_the_same_sqlite_is_refused()
    {
        var data = TempDirectory();
        await using (var first = await GatewayProcess.StartAsync(data))
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayProcess.StartAsync(data));
            Assert.Contains("Another ActorQuotes node already uses the SQLite data", error.Message, StringComparison.Ordinal);
            Assert.Contains("PostgreSQL", error.Message, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await first.Http.GetAsync("/health/ready")).StatusCode);
            first.Kill(); // the OS drops the lock with the process: a crash never leaves it behind
        }

        await using var second = await GatewayProcess.StartAsync(data);
        Assert.Equal(HttpStatusCode.OK, (await second.Http.GetAsync("/health/live")).StatusCode);
    }

    [Fact(DisplayName = "A node runs socket completions inline unless the operator sets the runtime's switch to 0, and its banner says which")]
    public async Task Socket_completions_are_inline_by_default()
    {
        // null: not set in the node at all, whatever the test run has.
        var starting = new[] { (string?)null, "0" }.Select(value => GatewayProcess.StartAsync(TempDirectory(), environment:
            new Dictionary<string, string?> { [SocketCompletions.Variable] = value })).ToList();
        await using var byDefault = await starting[0];
        await using var optedOut = await starting[1];

        await byDefault.WaitForLineAsync(line => line.Contains("socket completions", StringComparison.Ordinal)).WaitAsync(TimeSpan.FromSeconds(30));
        await optedOut.WaitForLineAsync(line => line.Contains("socket completions", StringComparison.Ordinal)).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("socket completions inline on the socket engine's threads", byDefault.Output, StringComparison.Ordinal);
        Assert.Contains("socket completions queued to the thread pool", optedOut.Output, StringComparison.Ordinal);

        // Every other test that starts a node as a process (the cluster's, with their quote streams over
        // PostgreSQL and Akka.Remote) runs it with the default, so inline completions carry all of that.
        Assert.Equal(HttpStatusCode.OK, (await byDefault.Http.GetAsync("/health/ready")).StatusCode);
    }

    [Theory(DisplayName = "Node settings are checked at start: roles, seeds, the public hostname")]
    [InlineData("gateway,broker", "", "127.0.0.1", "", "unknown role(s) broker")]
    [InlineData(" , ", "", "127.0.0.1", "", "Node:Roles is empty")]
    [InlineData("gateway", "", "127.0.0.1", "postgresql", "needs the others: set Node:SeedNodes")]
    [InlineData("gateway,quotes,watchlists", "actorquotes@127.0.0.1:4051", "127.0.0.1", "postgresql", "a seed looks like akka.tcp://actorquotes@host:port")]
    [InlineData("gateway,quotes,watchlists", "akka.tcp://other@127.0.0.1:4051", "127.0.0.1", "postgresql", "a seed looks like")]
    [InlineData("gateway,quotes,watchlists", "", "0.0.0.0", "", "set Node:PublicHostname")]
    [InlineData("quotes", "akka.tcp://actorquotes@127.0.0.1:4051", "127.0.0.1", "", "cannot run on SQLite")]
    public void Node_settings_are_validated(string roles, string seed, string hostname, string provider, string expected)
    {
        var storage = new StorageOptions { Provider = provider.Length == 0 ? "sqlite" : provider, ConnectionString = "Host=x" };
        var node = new NodeOptions { Roles = roles, SeedNodes = seed.Length == 0 ? [] : [seed], Hostname = hostname };

        var result = new NodeOptionsValidator(Options.Create(storage)).Validate(null, node);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory(DisplayName = "A down-removal margin of zero or over five minutes is refused, naming the setting (zero would mean Akka's whole stable-after again)")]
    [InlineData("00:00:00")]
    [InlineData("00:05:01")]
    public void Down_removal_margin_is_checked(string margin)
    {
        var node = new NodeOptions { DownRemovalMargin = TimeSpan.Parse(margin, System.Globalization.CultureInfo.InvariantCulture) };

        var result = new NodeOptionsValidator(Options.Create(new StorageOptions())).Validate(null, node);

        Assert.True(result.Failed);
        Assert.Contains("Node:DownRemovalMargin must be more than 0 and at most 00:05:00", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact(DisplayName = "The default node holds all three roles and passes its checks; a postgres cluster node with seeds does too")]
    public void Valid_settings_pass()
    {
        Assert.Equal(new NodeRoles(true, true, true), new NodeOptions().ParsedRoles());
        Assert.Equal(new NodeRoles(Gateway: true, Quotes: false, Watchlists: false), NodeRoles.Parse(" Gateway "));
        Assert.True(new NodeOptionsValidator(Options.Create(new StorageOptions())).Validate(null, new NodeOptions()).Succeeded);
        var clusterNode = new NodeOptions { Roles = "gateway", SeedNodes = ["akka.tcp://actorquotes@10.0.0.1:4053"], Hostname = "0.0.0.0", PublicHostname = "aq-0" };
        var postgres = new StorageOptions { Provider = "postgresql", ConnectionString = "Host=db" };
        Assert.True(new NodeOptionsValidator(Options.Create(postgres)).Validate(null, clusterNode).Succeeded);
    }

    [Fact(DisplayName = "A single node is live and ready: Up member, journal answering, shard regions reaching their coordinators")]
    public async Task Single_node_health()
    {
        await using var host = await GatewayHost.StartAsync();

        var live = await host.Http.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        var ready = await host.Http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("no-store", ready.Headers.CacheControl?.ToString());
        var checks = (await ready.ReadJson())["checks"]!;
        foreach (var check in new[] { "cluster-member", "journal", "shard-regions" })
        {
            Assert.Equal("Healthy", checks[check]!["status"]!.GetValue<string>());
        }

        Assert.Contains("gateway,quotes,watchlists", checks["cluster-member"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        // Ready only after the journal's first recovery: the first request does not pay for the journal's start.
        Assert.Matches("^sqlite answers; the first recovery took [0-9]+ ms$", checks["journal"]!["description"]!.GetValue<string>());
    }

    private static string TempDirectory() => Path.Combine(Path.GetTempPath(), "aq-startup-" + Guid.NewGuid().ToString("N"));
}
