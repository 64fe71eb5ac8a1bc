using System.Diagnostics;
using System.Net;
using ActorQuotes.Gateway.Tests.Infrastructure;

namespace ActorQuotes.Gateway.Tests;

/// <summary>The real PostgreSQL under a running node is stopped and started again.</summary>
public sealed class JournalOutageTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    /// <summary>"Promptly": well under the 30 s an HTTP client would wait.</summary>
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(10);

    [Fact(DisplayName = "With the journal down, the write that meets the failure answers 504 outcome_unknown, later writes 503 promptly, reads from memory still answer, and all works again once it is back")]
    public async Task Outage_and_recovery()
    {
        var database = await postgres.Server.CreateDatabaseAsync("outage");
        // No simulated feed: fifty tickers recovering or snapshotting during the outage would be a second,
        // timing-dependent load on the same journal; this test is about the watchlist's and account's writes.
        await using var host = await GatewayHost.StartAsync(null, "--Storage:Provider=postgresql", "--Storage:ConnectionString=" + database,
            "--Feeds:Simulated:Enabled=false");
        var (token, _) = await host.Http.RegisterAndLogin("outage_user");
        var id = await host.Http.CreateWatchlist(token, "Steady");
        await host.Http.PutStock(token, id, "7203", 100, 2500);
        var keyedPut = await host.Http.SendAsync(PutAapl(id, token, "before-outage"));
        Assert.Equal(HttpStatusCode.OK, keyedPut.StatusCode);
        var removed = ApiClient.Authorized(HttpMethod.Delete, $"/api/v1/watchlists/{id}/stocks/AAPL", token);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.SendAsync(removed)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/health/ready")).StatusCode);
        await postgres.Server.StopAsync();

        // A load balancer stops sending traffic here while the journal is gone, but the process stays live.
        var unready = await host.Http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unready.StatusCode);
        Assert.Equal("Unhealthy", (await unready.ReadJson())["checks"]!["journal"]!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/health/live")).StatusCode);

        const string key = "outage-put-aapl";
        using (var prompt = new CancellationTokenSource(Prompt))
        {
            // This write reaches the journal and fails there: Akka cannot say whether it was stored.
            var write = await host.Http.SendAsync(PutAapl(id, token, key), prompt.Token);
            Assert.Equal(HttpStatusCode.GatewayTimeout, write.StatusCode);
            Assert.Equal("outcome_unknown", (await write.ReadJson())["code"]!.GetValue<string>());

            // A retry of a write that was acknowledged before the outage is answered from memory, as the first time.
            var replayed = await host.Http.SendAsync(PutAapl(id, token, "before-outage"), prompt.Token);
            Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
            Assert.Equal((await keyedPut.ReadJson()).ToJsonString(), (await replayed.ReadJson()).ToJsonString());

            // The entity now knows its journal is down and refuses before sending anything: nothing changed.
            var refused = await host.Http.SendAsync(PutAapl(id, token, key), prompt.Token);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("unavailable", (await refused.ReadJson())["code"]!.GetValue<string>());

            var read = await host.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}", token), prompt.Token);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal(["7203"], (await read.ReadJson())["stocks"]!.AsArray().Select(s => s!["ticker_symbol"]!.GetValue<string>()));

            var me = await host.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/auth/me", token), prompt.Token);
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }

        await postgres.Server.StartAgainAsync();

        // The entity retries its journal with backoff; the same write goes through within the bound.
        var deadline = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            var retry = await host.Http.SendAsync(PutAapl(id, token, key));
            status = retry.StatusCode;
            if (status != HttpStatusCode.OK)
            {
                Assert.True(status is HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout, $"{(int)status}");
                await Task.Delay(TimeSpan.FromMilliseconds(250)); // a client's retry interval, not a synchronization
            }
        }
        while (status != HttpStatusCode.OK && deadline.Elapsed < TimeSpan.FromSeconds(60));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/health/ready")).StatusCode);
        var after = await (await host.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}", token))).ReadJson();
        Assert.Equal(["7203", "AAPL"], after["stocks"]!.AsArray().Select(s => s!["ticker_symbol"]!.GetValue<string>()));
        var history = await (await host.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}/history", token))).ReadJson();
        Assert.Equal(["created", "stock_added", "stock_added", "stock_removed", "stock_added"], history["events"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()));
    }

    private static HttpRequestMessage PutAapl(long id, string token, string key)
    {
        var request = ApiClient.Authorized(HttpMethod.Put, $"/api/v1/watchlists/{id}/stocks/AAPL", token, """{"quantity":1,"purchase_price":200}""");
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    [Fact(DisplayName = "A node started while its journal is down is live but not ready; it retries its first recovery and turns ready by itself once the journal is back")]
    public async Task Cold_start_without_journal()
    {
        var database = await postgres.Server.CreateDatabaseAsync("cold_start");
        var data = Path.Combine(Path.GetTempPath(), "aq-cold-" + Guid.NewGuid().ToString("N"));
        await postgres.Server.StopAsync();
        try
        {
            await using var node = await GatewayProcess.StartAsync(
                data,
                new Dictionary<string, string>
                {
                    ["Storage:Provider"] = "postgresql",
                    ["Storage:ConnectionString"] = database,
                    ["Feeds:Simulated:Enabled"] = "false",
                },
                waitReady: false);

            // The warm-up's first recovery has failed, so a ready node would be a lie.
            await node.WaitForLineAsync(line => line.Contains("Journal warm-up: recovery attempt 1 failed", StringComparison.Ordinal))
                .WaitAsync(TimeSpan.FromSeconds(60));
            var unready = await node.Http.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unready.StatusCode);
            Assert.Equal("Unhealthy", (await unready.ReadJson())["checks"]!["journal"]!["status"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.OK, (await node.Http.GetAsync("/health/live")).StatusCode);

            await postgres.Server.StartAgainAsync();

            // Retries back off to at most 10 s apart, so a minute is ample on a loaded machine.
            var ready = await Eventually.TrueWithin(TimeSpan.FromSeconds(60), async () =>
                (await node.Http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK);
            Assert.True(ready, node.Output);
            var journal = (await (await node.Http.GetAsync("/health/ready")).ReadJson())["checks"]!["journal"]!["description"]!.GetValue<string>();
            Assert.Matches("^postgresql answers; the first recovery took [0-9]+ ms$", journal);
            await node.WaitForLineAsync(line => line.Contains("Journal warm: its first recovery completed", StringComparison.Ordinal));

            var (token, _) = await node.Http.RegisterAndLogin("cold_user");
            Assert.True(await node.Http.CreateWatchlist(token, "Warm") > 0);
        }
        finally
        {
            if (!postgres.Server.IsRunning)
            {
                await postgres.Server.StartAgainAsync(); // for the class's other test
            }
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }
}
