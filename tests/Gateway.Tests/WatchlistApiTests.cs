using System.Net;
using System.Text.Json.Nodes;

namespace ActorQuotes.Gateway.Tests;

public sealed class WatchlistApiTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private HttpClient Http => fixture.Host.Http;

    [Fact(DisplayName = "PATCH renames a watchlist; a bad name is 400 and someone else's watchlist is 404, both changing nothing")]
    public async Task Rename()
    {
        var (token, _) = await Http.RegisterAndLogin(GatewayFixture.NewUsername("ren"));
        var (other, _) = await Http.RegisterAndLogin(GatewayFixture.NewUsername("ren2"));
        var id = await Http.CreateWatchlist(token, "Before");

        var renamed = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Patch, $"/api/v1/watchlists/{id}", token, """{"name":"After"}"""));
        var blank = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Patch, $"/api/v1/watchlists/{id}", token, """{"name":"   "}"""));
        var tooLong = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Patch, $"/api/v1/watchlists/{id}", token, $$"""{"name":"{{new string('n', 101)}}"}"""));
        var foreign = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Patch, $"/api/v1/watchlists/{id}", other, """{"name":"Mine now"}"""));

        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("After", (await renamed.ReadJson())["name"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, blank.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal("validation_failed", (await tooLong.ReadJson())["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        var now = await (await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}", token))).ReadJson();
        Assert.Equal("After", now["name"]!.GetValue<string>());
    }

    [Fact(DisplayName = "History lists the watchlist's own events in order, each with its time")]
    public async Task History()
    {
        var (token, _) = await Http.RegisterAndLogin(GatewayFixture.NewUsername("hist"));
        var (other, _) = await Http.RegisterAndLogin(GatewayFixture.NewUsername("hist2"));
        var id = await Http.CreateWatchlist(token, "Diary");
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        await Http.PutStock(token, id, "7203", 100, 2500);
        await Http.PutStock(token, id, "7203", 150, 2400);
        await Http.PutStock(token, id, "AAPL", 1, 200);
        await Http.SendAsync(ApiClient.Authorized(HttpMethod.Delete, $"/api/v1/watchlists/{id}/stocks/7203", token));
        await Http.SendAsync(ApiClient.Authorized(HttpMethod.Patch, $"/api/v1/watchlists/{id}", token, """{"name":"Journal"}"""));

        var response = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}/history", token));
        var history = await response.ReadJson();
        var foreign = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}/history", other));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(id, history["watchlist_id"]!.GetValue<long>());
        var events = history["events"]!.AsArray();
        Assert.Equal(["created", "stock_added", "position_changed", "stock_added", "stock_removed", "renamed"],
            events.Select(e => e!["type"]!.GetValue<string>()));
        Assert.Equal([1L, 2, 3, 4, 5, 6], events.Select(e => e!["sequence_nr"]!.GetValue<long>()));
        Assert.Equal("Diary", events[0]!["name"]!.GetValue<string>());
        Assert.Equal("""{"sequence_nr":3,"type":"position_changed","ticker_symbol":"7203","quantity":150,"purchase_price":2400}""",
            WithoutAt(events[2]!));
        Assert.Equal("Journal", events[5]!["name"]!.GetValue<string>());
        var times = events.Select(e => DateTimeOffset.Parse(e!["at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.All(times, t => Assert.InRange(t, before, DateTimeOffset.UtcNow.AddSeconds(5)));
        Assert.Equal(times.Order(), times);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
    }

    [Fact(DisplayName = "A create retried with the same Idempotency-Key returns the first answer and creates nothing new")]
    public async Task Idempotent_create()
    {
        var (token, _) = await Http.RegisterAndLogin(GatewayFixture.NewUsername("idemwl"));
        var key = Guid.NewGuid().ToString();

        var first = await Create(token, "Once", key);
        var retry = await Create(token, "Once", key);
        var sameKeyOtherBody = await Create(token, "Twice", key);
        var list = (await (await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/watchlists", token))).ReadJson()).AsArray();

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal((await first.ReadJson()).ToJsonString(), (await retry.ReadJson()).ToJsonString());
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal(HttpStatusCode.Conflict, sameKeyOtherBody.StatusCode);
        Assert.Single(list);
    }

    [Fact(DisplayName = "A user owns at most 50 watchlists; the 51st is 409 limit_reached")]
    public async Task Watchlist_limit()
    {
        var (token, _) = await Http.RegisterAndLogin(GatewayFixture.NewUsername("many"));
        for (var i = 0; i < 50; i++)
        {
            await Http.CreateWatchlist(token, "W" + i);
        }

        var extra = await Create(token, "One too many", null);

        Assert.Equal(HttpStatusCode.Conflict, extra.StatusCode);
        Assert.Equal("limit_reached", (await extra.ReadJson())["code"]!.GetValue<string>());
        Assert.Equal(50, (await (await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/watchlists", token))).ReadJson()).AsArray().Count);
    }

    [Theory(DisplayName = "Wrong types, missing bodies and unknown verbs are 4xx problems with a code, never 500")]
    [InlineData("PUT", "/stocks/7203", """{"quantity":true,"purchase_price":1}""", 400, "bad_request")]
    [InlineData("PUT", "/stocks/7203", """{"quantity":{"n":1},"purchase_price":1}""", 400, "bad_request")]
    [InlineData("PUT", "/stocks/7203", """{"quantity":1,"purchase_price":Infinity}""", 400, "bad_request")]
    [InlineData("PUT", "/stocks/7203", """{"quantity":1e400,"purchase_price":1}""", 400, "validation_failed")]
    [InlineData("PUT", "/stocks/7203", "", 400, "bad_request")]
    [InlineData("PUT", "/stocks/7203", "null", 400, "bad_request")]
    [InlineData("PATCH", "", """{"name":5}""", 400, "bad_request")]
    [InlineData("POST", "/stocks/7203", """{"quantity":1,"purchase_price":1}""", 405, "method_not_allowed")]
    public async Task Hostile_bodies(string method, string suffix, string body, int status, string code)
    {
        var (token, _) = await Http.RegisterAndLogin(GatewayFixture.NewUsername("host"));
        var id = await Http.CreateWatchlist(token, "Target");

        var response = await Http.SendAsync(ApiClient.Authorized(new HttpMethod(method), $"/api/v1/watchlists/{id}{suffix}", token, body));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(code, (await response.ReadJson())["code"]!.GetValue<string>());
        var after = await (await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}", token))).ReadJson();
        Assert.Equal("Target", after["name"]!.GetValue<string>());
        Assert.Empty(after["stocks"]!.AsArray());
    }

    [Fact(DisplayName = "A body over 64 KiB is 413 payload_too_large and creates nothing")]
    public async Task Huge_body()
    {
        var (token, _) = await Http.RegisterAndLogin(GatewayFixture.NewUsername("huge"));

        var response = await Create(token, new string('x', 70 * 1024), null);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("payload_too_large", (await response.ReadJson())["code"]!.GetValue<string>());
        Assert.Empty((await (await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/watchlists", token))).ReadJson()).AsArray());
    }

    [Fact(DisplayName = "PATCH, PUT and DELETE of stocks and DELETE of a watchlist retried with the same Idempotency-Key return the first answer and journal nothing more")]
    public async Task Idempotent_writes()
    {
        var (token, _) = await Http.RegisterAndLogin(GatewayFixture.NewUsername("idemw"));
        var id = await Http.CreateWatchlist(token, "Keys");
        var msft = 0;

        async Task<(HttpResponseMessage First, HttpResponseMessage Retry)> Twice(HttpMethod method, string path, string? json, bool changeBetween = true)
        {
            var key = Guid.NewGuid().ToString();
            HttpRequestMessage Request()
            {
                var request = ApiClient.Authorized(method, path, token, json);
                request.Headers.Add("Idempotency-Key", key);
                return request;
            }

            var first = await Http.SendAsync(Request());
            if (changeBetween)
            {
                // A later change by another request, so the retry's answer cannot simply be the current state.
                var between = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Put, $"/api/v1/watchlists/{id}/stocks/MSFT", token,
                    $$"""{"quantity":{{++msft}},"purchase_price":400}"""));
                Assert.Equal(HttpStatusCode.OK, between.StatusCode);
            }

            return (first, await Http.SendAsync(Request()));
        }

        var put = await Twice(HttpMethod.Put, $"/api/v1/watchlists/{id}/stocks/7203", """{"quantity":100,"purchase_price":2500}""");
        var rename = await Twice(HttpMethod.Patch, $"/api/v1/watchlists/{id}", """{"name":"Renamed"}""");
        var remove = await Twice(HttpMethod.Delete, $"/api/v1/watchlists/{id}/stocks/7203", null);
        var events = (await (await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}/history", token))).ReadJson())["events"]!.AsArray();
        var delete = await Twice(HttpMethod.Delete, $"/api/v1/watchlists/{id}", null, changeBetween: false);
        var listed = (await (await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/watchlists", token))).ReadJson()).AsArray();

        foreach (var (first, retry) in new[] { put, rename, remove })
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
            Assert.Equal((await first.ReadJson()).ToJsonString(), (await retry.ReadJson()).ToJsonString());
        }

        // created, then per write: its own event and the MSFT change between it and its retry; no retry journaled anything.
        Assert.Equal(
            ["created", "stock_added", "stock_added", "renamed", "position_changed", "stock_removed", "position_changed"],
            events.Select(e => e!["type"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NoContent, delete.First.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, delete.Retry.StatusCode);
        Assert.Empty(listed);
    }

    [Fact(DisplayName = "A write route's Idempotency-Key reused for a different request is 409 idempotency_key_reused and changes nothing")]
    public async Task Key_reused()
    {
        var (token, _) = await Http.RegisterAndLogin(GatewayFixture.NewUsername("reuse"));
        var id = await Http.CreateWatchlist(token, "Reuse");
        var key = Guid.NewGuid().ToString();

        var first = await Http.SendAsync(HonestWriteTests.Put(id, token, key, """{"quantity":1,"purchase_price":10}""", "7203"));
        var otherBody = await Http.SendAsync(HonestWriteTests.Put(id, token, key, """{"quantity":2,"purchase_price":10}""", "7203"));
        var rename = ApiClient.Authorized(HttpMethod.Patch, $"/api/v1/watchlists/{id}", token, """{"name":"Other"}""");
        rename.Headers.Add("Idempotency-Key", key);
        var otherRoute = await Http.SendAsync(rename);
        var now = await (await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}", token))).ReadJson();

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        foreach (var refused in new[] { otherBody, otherRoute })
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("idempotency_key_reused", (await refused.ReadJson())["code"]!.GetValue<string>());
        }

        Assert.Equal("Reuse", now["name"]!.GetValue<string>());
        Assert.Equal(1, now["stocks"]![0]!["quantity"]!.GetValue<double>());
    }

    private Task<HttpResponseMessage> Create(string token, string name, string? key)
    {
        var request = ApiClient.Authorized(HttpMethod.Post, "/api/v1/watchlists", token, System.Text.Json.JsonSerializer.Serialize(new { name }));
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return Http.SendAsync(request);
    }

    private static string WithoutAt(JsonNode entry)
    {
        var copy = JsonNode.Parse(entry.ToJsonString())!.AsObject();
        copy.Remove("at");
        return copy.ToJsonString();
    }
}
