using System.Collections.Concurrent;
using System.Text;
using ActorQuotes.Gateway.Tests;
using Microsoft.AspNetCore.Http;

namespace ActorQuotes.Client.Tests;

/// <summary>The client's writes: against the real gateway, and against a scripted server for the failures it retries.</summary>
public sealed class WriteTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string WatchlistJson = """{"watchlist_id":9,"name":"Core","stocks":[{"company_id":1,"ticker_symbol":"7203","company_name":"Toyota","quantity":100,"purchase_price":2500}]}""";

    [Fact(DisplayName = "Against the real gateway, each write method changes the watchlist once and a 4xx surfaces as ActorQuotesApiException with its code")]
    public async Task Writes_against_the_gateway()
    {
        var host = fixture.Host;
        var (token, _) = await host.Http.RegisterAndLogin(GatewayFixture.NewUsername("cwr"));
        var client = LiveStreamTests.ClientFor(host, token);

        var created = await client.CreateWatchlistAsync("Client writes");
        var put = await client.PutPositionAsync(created.WatchlistId, "7203", 100, 2500);
        var renamed = await client.RenameWatchlistAsync(created.WatchlistId, "Renamed");
        var removed = await client.RemovePositionAsync(created.WatchlistId, "7203");
        var missing = await Assert.ThrowsAsync<ActorQuotesApiException>(() => client.RemovePositionAsync(created.WatchlistId, "AAPL"));
        var invalid = await Assert.ThrowsAsync<ActorQuotesApiException>(() => client.PutPositionAsync(created.WatchlistId, "7203", -1, 2500));
        var history = await (await host.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{created.WatchlistId}/history", token))).ReadJson();
        await client.DeleteWatchlistAsync(created.WatchlistId);
        var gone = await Assert.ThrowsAsync<ActorQuotesApiException>(() => client.DeleteWatchlistAsync(created.WatchlistId));

        Assert.Equal([new WatchlistStock(1, "7203", "トヨタ自動車株式会社", 100, 2500)], put.Stocks);
        Assert.Equal("Renamed", renamed.Name);
        Assert.Empty(removed.Stocks);
        Assert.Equal((404, "not_found", false), (missing.StatusCode, missing.Code, missing.IsOutcomeUnknown));
        Assert.Equal((400, "validation_failed"), (invalid.StatusCode, invalid.Code));
        Assert.Equal((404, "not_found"), (gone.StatusCode, gone.Code));
        Assert.NotNull(gone.IdempotencyKey);
        Assert.Equal(["created", "stock_added", "renamed", "stock_removed"], history["events"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()));
    }

    [Fact(DisplayName = "A write answered 504, then 503, then a dropped connection, is sent again with the same Idempotency-Key until answered")]
    public async Task Retries_with_the_same_key()
    {
        await using var server = await ScriptedServer.StartAsync();
        var seen = new ConcurrentQueue<(string Method, string Path, string? Key, string? Auth)>();
        server.Enqueue(
            Record(seen, Problem(504, "outcome_unknown")),
            Record(seen, Problem(503, "unavailable")),
            Record(seen, context =>
            {
                context.Abort(); // the connection drops with no answer
                return Task.CompletedTask;
            }),
            Record(seen, Json(200, WatchlistJson)));

        var put = await ClientFor(server).PutPositionAsync(9, "7203", 100, 2500);

        Assert.Equal(100, Assert.Single(put.Stocks).Quantity);
        Assert.Equal(4, seen.Count);
        Assert.All(seen, s => Assert.Equal(("PUT", "/api/v1/watchlists/9/stocks/7203", "Bearer t0ken"), (s.Method, s.Path, s.Auth)));
        Assert.Single(seen.Select(s => s.Key).Distinct());
        Assert.True(Guid.TryParse(seen.First().Key, out _));
    }

    [Fact(DisplayName = "Each logical write gets its own Idempotency-Key")]
    public async Task Fresh_key_per_write()
    {
        await using var server = await ScriptedServer.StartAsync();
        var seen = new ConcurrentQueue<(string Method, string Path, string? Key, string? Auth)>();
        server.Enqueue(Record(seen, Json(200, WatchlistJson)), Record(seen, Json(200, WatchlistJson)));
        var client = ClientFor(server);

        await client.RenameWatchlistAsync(9, "Core");
        await client.RenameWatchlistAsync(9, "Core");

        Assert.Equal(2, seen.Select(s => s.Key).Distinct().Count());
    }

    [Fact(DisplayName = "A 4xx problem is thrown at once with its status and code, and not retried")]
    public async Task Client_errors_are_final()
    {
        await using var server = await ScriptedServer.StartAsync();
        var seen = new ConcurrentQueue<(string Method, string Path, string? Key, string? Auth)>();
        server.Enqueue(Record(seen, Problem(409, "idempotency_key_reused")), Record(seen, Json(200, WatchlistJson)));

        var error = await Assert.ThrowsAsync<ActorQuotesApiException>(() => ClientFor(server).RemovePositionAsync(9, "7203"));

        Assert.Equal((409, "idempotency_key_reused", false), (error.StatusCode, error.Code, error.IsOutcomeUnknown));
        Assert.Single(seen);
        Assert.Equal(seen.Single().Key, error.IdempotencyKey);
    }

    [Fact(DisplayName = "Attempts are bounded: after the last one the caller gets outcome_unknown with the key to send again later; all 503 stays unavailable")]
    public async Task Attempts_are_bounded()
    {
        await using var server = await ScriptedServer.StartAsync();
        var seen = new ConcurrentQueue<(string Method, string Path, string? Key, string? Auth)>();
        server.Enqueue(
            Record(seen, Problem(504, "outcome_unknown")), Record(seen, Problem(503, "unavailable")), Record(seen, Problem(503, "unavailable")),
            Record(seen, Problem(503, "unavailable")), Record(seen, Problem(503, "unavailable")), Record(seen, Problem(503, "unavailable")));
        var client = ClientFor(server, attempts: 3);

        var unknown = await Assert.ThrowsAsync<ActorQuotesApiException>(() => client.DeleteWatchlistAsync(9));
        var refused = await Assert.ThrowsAsync<ActorQuotesApiException>(() => client.DeleteWatchlistAsync(9));

        Assert.Equal(6, seen.Count);
        Assert.True(unknown.IsOutcomeUnknown);
        Assert.Equal(seen.First().Key, unknown.IdempotencyKey);
        Assert.Equal((503, "unavailable", false), (refused.StatusCode, refused.Code, refused.IsOutcomeUnknown));
    }

    private static ActorQuotesClient ClientFor(ScriptedServer server, int attempts = 5) =>
        new(new ActorQuotesClientOptions
        {
            BaseUri = server.BaseAddress,
            TokenProvider = _ => ValueTask.FromResult("t0ken"),
            InitialBackoff = TimeSpan.FromMilliseconds(10),
            MaxBackoff = TimeSpan.FromMilliseconds(20),
            WriteAttempts = attempts,
        });

    private static Func<HttpContext, Task> Record(ConcurrentQueue<(string, string, string?, string?)> seen, Func<HttpContext, Task> script) =>
        context =>
        {
            seen.Enqueue((context.Request.Method, context.Request.Path.Value!, context.Request.Headers["Idempotency-Key"].SingleOrDefault(),
                context.Request.Headers.Authorization.SingleOrDefault()));
            return script(context);
        };

    private static Func<HttpContext, Task> Problem(int status, string code) =>
        Json(status, $$"""{"type":"urn:actorquotes:problem:{{code}}","title":"t","status":{{status}},"detail":"scripted","code":"{{code}}"}""", "application/problem+json");

    private static Func<HttpContext, Task> Json(int status, string json, string type = "application/json") => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = type;
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(json));
    };
}
