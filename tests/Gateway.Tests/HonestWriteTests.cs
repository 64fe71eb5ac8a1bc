using System.Net;
using System.Text.Json.Nodes;
using ActorQuotes.Gateway.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace ActorQuotes.Gateway.Tests;

/// <summary>
/// Writes whose outcome is unknown answer 504 <c>outcome_unknown</c>, and a retry with the same
/// Idempotency-Key gets the first result: a real gateway on a real SQLite file whose write lock the test holds.
/// </summary>
public sealed class HonestWriteTests
{
    [Fact(DisplayName = "A timed-out write answers 504 outcome_unknown and its retry with the same key returns the first result")]
    public async Task Timed_out_write_then_retry()
    {
        // No simulated feed: tickers' snapshots would queue behind the held lock too; this is about one watchlist.
        await using var host = await GatewayHost.StartAsync(null, "--Requests:AskTimeout=00:00:01", "--Feeds:Simulated:Enabled=false");
        var (token, _) = await host.Http.RegisterAndLogin("slow_journal");
        var id = await host.Http.CreateWatchlist(token, "Held");
        const string key = "put-aapl-once";

        HttpResponseMessage timedOut;
        await using (var holder = new SqliteConnection($"Data Source={Path.Combine(host.DataDirectory, "actorquotes.db")};Default Timeout=30"))
        {
            await holder.OpenAsync();
            await using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE"; // the database's one write lock, held by this test
                await begin.ExecuteNonQueryAsync();
            }

            // The command reaches the watchlist, whose journal write now waits on the lock past the 1 s ask timeout.
            timedOut = await host.Http.SendAsync(Put(id, token, key, """{"quantity":1,"purchase_price":200}"""));

            await using var rollback = holder.CreateCommand();
            rollback.CommandText = "ROLLBACK"; // the lock goes; the waiting journal write commits
            await rollback.ExecuteNonQueryAsync();
        }

        Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
        var problem = await timedOut.ReadJson();
        Assert.Equal("outcome_unknown", problem["code"]!.GetValue<string>());
        Assert.Equal("urn:actorquotes:problem:outcome_unknown", problem["type"]!.GetValue<string>());

        // The 504 was honest: the write happened after all, without anyone retrying it.
        string? landed = null;
        Assert.True(await Eventually.TrueWithin(TimeSpan.FromSeconds(30), async () =>
        {
            using var read = await host.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}", token));
            landed = await read.Content.ReadAsStringAsync();
            return read.StatusCode == HttpStatusCode.OK && landed.Contains("\"AAPL\"", StringComparison.Ordinal);
        }), landed);

        var retry = await host.Http.SendAsync(Put(id, token, key, """{"quantity":1,"purchase_price":200}"""));
        var reused = await host.Http.SendAsync(Put(id, token, key, """{"quantity":2,"purchase_price":200}"""));

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(JsonNode.Parse(landed!)!.ToJsonString(), (await retry.ReadJson()).ToJsonString());
        Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);
        Assert.Equal("idempotency_key_reused", (await reused.ReadJson())["code"]!.GetValue<string>());
        var history = await (await host.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}/history", token))).ReadJson();
        Assert.Equal(["created", "stock_added"], history["events"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()));
    }

    [Fact(DisplayName = "Requests:AskTimeout out of range stops the start with a message naming the key")]
    public async Task Ask_timeout_is_validated()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayHost.StartAsync(null, "--Requests:AskTimeout=00:00:00"));

        Assert.Contains("Requests:AskTimeout", error.ToString(), StringComparison.Ordinal);
    }

    internal static HttpRequestMessage Put(long id, string token, string key, string json, string symbol = "AAPL")
    {
        var request = ApiClient.Authorized(HttpMethod.Put, $"/api/v1/watchlists/{id}/stocks/{symbol}", token, json);
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }
}
