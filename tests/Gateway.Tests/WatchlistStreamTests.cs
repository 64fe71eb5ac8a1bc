using System.Net.WebSockets;
using System.Text.Json.Nodes;
using ActorQuotes.Gateway.Auth;
using ActorQuotes.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Tests;

public sealed class WatchlistStreamTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static readonly TimeSpan FrameWait = TimeSpan.FromSeconds(20);

    private GatewayHost Host => fixture.Host;

    [Fact(DisplayName = "A new user registers, adds 7203 and AAPL, and the stream sends full frames with the prototype's fields and arithmetic")]
    public async Task Streams_prototype_frames()
    {
        var (token, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("stream"));
        var id = await Host.Http.CreateWatchlist(token, "Core");
        await Host.Http.PutStock(token, id, "7203", 100, 2500);
        await Host.Http.PutStock(token, id, "AAPL", 10, 250.5);

        using var socket = await Host.Connect($"/api/v1/ws/watchlist/{id}/prices?token={token}");
        var first = JsonNode.Parse((await socket.ReceiveText(FrameWait))!)!.AsObject();
        var second = JsonNode.Parse((await socket.ReceiveText(FrameWait))!)!.AsObject();

        Assert.Equal(1, first["sequence"]!.GetValue<long>());
        Assert.Equal(2, second["sequence"]!.GetValue<long>());
        foreach (var frame in new[] { first, second })
        {
            // The prototype's fields first, in its order; this server's additions after them.
            Assert.Equal(["type", "watchlist_id", "stocks", "timestamp", "sequence", "totals"], frame.Select(p => p.Key));
            var totals = frame["totals"]!.AsObject();
            Assert.Equal(["market_value", "cost", "unrealized_pl", "day_change"], totals.Select(p => p.Key));
            Assert.Equal(252505.0, totals["cost"]!.GetValue<double>());
            var prices = frame["stocks"]!.AsArray().Select(s => s!["current_price"]!.GetValue<double>()).ToArray();
            Assert.Equal(Math.Round((prices[0] * 100) + (prices[1] * 10), 6), totals["market_value"]!.GetValue<double>(), 6);
            Assert.Equal("price_update", frame["type"]!.GetValue<string>());
            Assert.Equal(id, frame["watchlist_id"]!.GetValue<long>());
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$", frame["timestamp"]!.GetValue<string>());
            var stocks = frame["stocks"]!.AsArray();
            Assert.Equal(2, stocks.Count);
            AssertStock(stocks[0]!.AsObject(), 1, "7203", "トヨタ自動車株式会社", previousClose: 2600.0, quantity: 100, purchasePrice: 2500);
            AssertStock(stocks[1]!.AsObject(), 31, "AAPL", "Apple Inc.", previousClose: 270.0, quantity: 10, purchasePrice: 250.5);
        }
    }

    [Fact(DisplayName = "A position added while connected shows in a following frame")]
    public async Task Live_edit_shows_in_next_frame()
    {
        var (token, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("live"));
        var id = await Host.Http.CreateWatchlist(token, "Live");
        await Host.Http.PutStock(token, id, "7203", 1, 1000);
        using var socket = await Host.Connect($"/api/v1/ws/watchlist/{id}/prices?token={token}");
        var first = JsonNode.Parse((await socket.ReceiveText(FrameWait))!)!;
        Assert.Single(first["stocks"]!.AsArray());

        await Host.Http.PutStock(token, id, "MSFT", 2, 400);

        using var deadline = new CancellationTokenSource(FrameWait);
        while (true)
        {
            deadline.Token.ThrowIfCancellationRequested();
            var frame = JsonNode.Parse((await socket.ReceiveText(FrameWait))!)!;
            var symbols = frame["stocks"]!.AsArray().Select(s => s!["ticker_symbol"]!.GetValue<string>()).ToArray();
            if (symbols.Length == 2)
            {
                Assert.Equal(["7203", "MSFT"], symbols);
                Assert.Equal(2.0, frame["stocks"]![1]!["quantity"]!.GetValue<double>());
                break;
            }
        }
    }

    [Theory(DisplayName = "A missing or wrong token gets an unauthorized error frame, then close code 4401")]
    [InlineData("")]
    [InlineData("?token=")]
    [InlineData("?token=not-a-token")]
    [InlineData("?token=eyJVaWQiOjEsIlVzciI6ImFsaWNlIiwiRXhwIjo5OTk5OTk5OTk5LCJKdGkiOiIwIn0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Bad_token_closes_4401(string query)
    {
        using var socket = await Host.Connect("/api/v1/ws/watchlist/1/prices" + query);

        await AssertErrorThenClose(socket, "unauthorized", 4401);
    }

    [Fact(DisplayName = "An expired token gets an unauthorized error frame, then close code 4401")]
    public async Task Expired_token_closes_4401()
    {
        var (_, userId) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("expired"));
        var past = new FixedClock(DateTimeOffset.UtcNow.AddHours(-3));
        var issuer = new TokenService(
            Options.Create(new AuthOptions { TokenLifetime = TimeSpan.FromHours(1) }),
            Options.Create(new StorageOptions { DataDirectory = Host.DataDirectory }),
            past);
        var (expired, _) = issuer.Issue(userId, "whoever");

        using var socket = await Host.Connect($"/api/v1/ws/watchlist/1/prices?token={expired}");

        await AssertErrorThenClose(socket, "unauthorized", 4401);
    }

    [Fact(DisplayName = "Another user's watchlist is not_found with close 4404, exactly like a missing one")]
    public async Task Foreign_watchlist_closes_4404()
    {
        var (owner, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("owner"));
        var (intruder, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("intruder"));
        var id = await Host.Http.CreateWatchlist(owner, "Mine");

        using var foreign = await Host.Connect($"/api/v1/ws/watchlist/{id}/prices?token={intruder}");
        await AssertErrorThenClose(foreign, "not_found", 4404);

        using var missing = await Host.Connect($"/api/v1/ws/watchlist/999999999/prices?token={intruder}");
        await AssertErrorThenClose(missing, "not_found", 4404);

        using var garbage = await Host.Connect($"/api/v1/ws/watchlist/abc/prices?token={intruder}");
        await AssertErrorThenClose(garbage, "not_found", 4404);
    }

    [Fact(DisplayName = "Deleting a watchlist while it streams sends not_found and closes with 4404")]
    public async Task Deleted_while_streaming_closes_4404()
    {
        var (token, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("deleter"));
        var id = await Host.Http.CreateWatchlist(token, "Doomed");
        using var socket = await Host.Connect($"/api/v1/ws/watchlist/{id}/prices?token={token}");
        Assert.NotNull(await socket.ReceiveText(FrameWait));

        var delete = await Host.Http.SendAsync(ApiClient.Authorized(HttpMethod.Delete, $"/api/v1/watchlists/{id}", token));
        Assert.Equal(System.Net.HttpStatusCode.NoContent, delete.StatusCode);

        using var deadline = new CancellationTokenSource(FrameWait);
        while (true)
        {
            deadline.Token.ThrowIfCancellationRequested();
            var text = await socket.ReceiveText(FrameWait);
            Assert.NotNull(text);
            var frame = JsonNode.Parse(text)!;
            if (frame["type"]!.GetValue<string>() == "error")
            {
                Assert.Equal("not_found", frame["code"]!.GetValue<string>());
                break;
            }
        }

        Assert.Null(await socket.ReceiveText(FrameWait));
        Assert.Equal(4404, (int)socket.CloseStatus!);
    }

    [Fact(DisplayName = "A plain HTTP request to the stream endpoint is a 400 problem, not an upgrade")]
    public async Task Plain_http_is_400()
    {
        var response = await Host.Http.GetAsync("/api/v1/ws/watchlist/1/prices");

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("websocket_required", (await response.ReadJson())["code"]!.GetValue<string>());
    }

    [Fact(DisplayName = "The streams' HTTP refusals are whole problem details: 400 websocket_required for plain HTTP on both streams, 403 forbidden_origin for a foreign page's upgrade")]
    public async Task Http_refusals_are_problem_details()
    {
        var (token, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("refused"));
        var plainWatchlist = await Host.Http.GetAsync("/api/v1/ws/watchlist/1/prices");
        var plainQuotes = await Host.Http.PostAsync("/api/v1/ws/quotes", new StringContent("{}"));
        using var upgrade = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/ws/quotes?token={token}");
        upgrade.Headers.Connection.Add("Upgrade");
        upgrade.Headers.Upgrade.Add(new System.Net.Http.Headers.ProductHeaderValue("websocket"));
        upgrade.Headers.Add("Sec-WebSocket-Version", "13");
        upgrade.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(new byte[16]));
        upgrade.Headers.Add("Origin", "https://evil.example");
        var foreign = await Host.Http.SendAsync(upgrade);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, plainWatchlist.StatusCode);
        await AssertProblem(plainWatchlist, "websocket_required", "This endpoint speaks WebSocket only.", 400, detail: null);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, plainQuotes.StatusCode);
        await AssertProblem(plainQuotes, "websocket_required", "This endpoint speaks WebSocket only.", 400, detail: null);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, foreign.StatusCode);
        await AssertProblem(foreign, "forbidden_origin", "This origin may not open streams.", 403,
            "set Streaming:PublicOrigin to the origin the page is served from, or add it to Streaming:AllowedOrigins");
    }

    private static async Task AssertProblem(HttpResponseMessage response, string code, string title, int status, string? detail)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = (JsonObject)await response.ReadJson();
        string[] keys = detail is null ? ["type", "title", "status", "code", "trace_id"] : ["type", "title", "status", "detail", "code", "trace_id"];
        Assert.Equal(keys, problem.Select(p => p.Key));
        Assert.Equal("urn:actorquotes:problem:" + code, problem["type"]!.GetValue<string>());
        Assert.Equal(title, problem["title"]!.GetValue<string>());
        Assert.Equal(status, problem["status"]!.GetValue<int>());
        Assert.Equal(detail, problem["detail"]?.GetValue<string>());
        Assert.Equal(code, problem["code"]!.GetValue<string>());
        // The request's W3C trace id (its Activity), as on every other problem the gateway answers.
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", problem["trace_id"]!.GetValue<string>());
    }

    private static void AssertStock(JsonObject stock, int companyId, string symbol, string name, double previousClose, double quantity, double purchasePrice)
    {
        Assert.Equal(
            ["company_id", "ticker_symbol", "company_name", "current_price", "change", "change_percent", "quantity", "purchase_price", "unrealized_pl"],
            stock.Select(p => p.Key));
        Assert.Equal(companyId, stock["company_id"]!.GetValue<int>());
        Assert.Equal(symbol, stock["ticker_symbol"]!.GetValue<string>());
        Assert.Equal(name, stock["company_name"]!.GetValue<string>());
        var price = stock["current_price"]!.GetValue<double>();
        Assert.True(price > 0);
        var change = price - previousClose;
        Assert.Equal(Math.Round(change, 6, MidpointRounding.AwayFromZero), stock["change"]!.GetValue<double>());
        Assert.Equal(Math.Round(change / previousClose * 100, 2, MidpointRounding.AwayFromZero), stock["change_percent"]!.GetValue<double>());
        Assert.Equal(quantity, stock["quantity"]!.GetValue<double>());
        Assert.Equal(purchasePrice, stock["purchase_price"]!.GetValue<double>());
        Assert.Equal(Math.Round((price - purchasePrice) * quantity, 6, MidpointRounding.AwayFromZero), stock["unrealized_pl"]!.GetValue<double>());
    }

    private static async Task AssertErrorThenClose(ClientWebSocket socket, string code, int closeCode)
    {
        var text = await socket.ReceiveText(FrameWait);
        Assert.NotNull(text);
        var frame = JsonNode.Parse(text)!;
        Assert.Equal("error", frame["type"]!.GetValue<string>());
        Assert.Equal(code, frame["code"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(frame["message"]!.GetValue<string>()));

        Assert.Null(await socket.ReceiveText(FrameWait));
        Assert.Equal(closeCode, (int)socket.CloseStatus!);
    }
}

/// <summary>A clock stopped at one instant.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
