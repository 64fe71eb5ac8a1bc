using System.Net;
using System.Text.Json.Nodes;

namespace ActorQuotes.Gateway.Tests;

public sealed class RestApiTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private HttpClient Http => fixture.Host.Http;

    [Fact(DisplayName = "Register answers 201 with user_id and username; login answers token, expires_at and user_id")]
    public async Task Register_and_login()
    {
        var username = GatewayFixture.NewUsername("Reg");

        var register = await Http.PostAsync("/api/v1/auth/register", ApiClient.Json($$"""{"username":"{{username}}","password":"correct-horse"}"""));
        var registered = await register.ReadJson();
        var login = await Http.PostAsync("/api/v1/auth/login", ApiClient.Json($$"""{"username":"{{username.ToUpperInvariant()}}","password":"correct-horse"}"""));
        var loggedIn = await login.ReadJson();

        Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        Assert.Equal(username.ToLowerInvariant(), registered["username"]!.GetValue<string>());
        Assert.True(registered["user_id"]!.GetValue<long>() > 0);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal(registered["user_id"]!.GetValue<long>(), loggedIn["user_id"]!.GetValue<long>());
        Assert.False(string.IsNullOrEmpty(loggedIn["token"]!.GetValue<string>()));
        var expiresAt = DateTimeOffset.Parse(loggedIn["expires_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiresAt - DateTimeOffset.UtcNow, TimeSpan.FromHours(23), TimeSpan.FromHours(24.1));
    }

    [Fact(DisplayName = "A taken username, in any case, is 409 conflict")]
    public async Task Duplicate_username()
    {
        var username = GatewayFixture.NewUsername("dup");
        await Http.RegisterAndLogin(username);

        var again = await Http.PostAsync("/api/v1/auth/register", ApiClient.Json($$"""{"username":"{{username.ToUpperInvariant()}}","password":"another-pass"}"""));

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("conflict", (await again.ReadJson())["code"]!.GetValue<string>());
    }

    [Fact(DisplayName = "A wrong password and an unknown user get the same 401, naming neither half")]
    public async Task Login_failures_look_alike()
    {
        var username = GatewayFixture.NewUsername("login");
        await Http.RegisterAndLogin(username);

        var wrongPassword = await Http.PostAsync("/api/v1/auth/login", ApiClient.Json($$"""{"username":"{{username}}","password":"wrong-password"}"""));
        var unknownUser = await Http.PostAsync("/api/v1/auth/login", ApiClient.Json("""{"username":"nobody_here_at_all","password":"wrong-password"}"""));

        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownUser.StatusCode);
        var a = await wrongPassword.ReadJson();
        var b = await unknownUser.ReadJson();
        Assert.Equal("unauthorized", a["code"]!.GetValue<string>());
        Assert.Equal(a["detail"]!.GetValue<string>(), b["detail"]!.GetValue<string>());
    }

    [Theory(DisplayName = "Bad registrations are 400 validation_failed naming the field")]
    [InlineData("""{"username":"ab","password":"correct-horse"}""", "username")]
    [InlineData("""{"username":"has space","password":"correct-horse"}""", "username")]
    [InlineData("""{"password":"correct-horse"}""", "username")]
    [InlineData("""{"username":"fine_name","password":"short"}""", "password")]
    public async Task Bad_registration(string body, string field)
    {
        var response = await Http.PostAsync("/api/v1/auth/register", ApiClient.Json(body));
        var problem = await response.ReadJson();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("validation_failed", problem["code"]!.GetValue<string>());
        Assert.NotNull(problem["errors"]![field]);
    }

    [Fact(DisplayName = "Watchlist routes without a token are 401 unauthorized problem details")]
    public async Task No_token_is_401()
    {
        var response = await Http.GetAsync("/api/v1/watchlists");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("unauthorized", (await response.ReadJson())["code"]!.GetValue<string>());
    }

    [Fact(DisplayName = "Create, list, get, replace, remove and delete a watchlist; stock rows carry the catalog's names")]
    public async Task Watchlist_lifecycle()
    {
        var (token, _) = await Http.RegisterAndLogin(GatewayFixture.NewUsername("life"));

        var created = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Post, "/api/v1/watchlists", token, """{"name":"Japan"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.ReadJson();
        var id = body["watchlist_id"]!.GetValue<long>();
        Assert.Equal("Japan", body["name"]!.GetValue<string>());
        Assert.Empty(body["stocks"]!.AsArray());
        Assert.Equal($"/api/v1/watchlists/{id}", created.Headers.Location!.ToString());

        await Http.PutStock(token, id, "7203", 100, 2500);
        await Http.PutStock(token, id, "7203", 200, 2400); // replaces, does not duplicate
        await Http.PutStock(token, id, "aapl", 5, 199.99);

        var get = await (await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}", token))).ReadJson();
        var stocks = get["stocks"]!.AsArray();
        Assert.Equal(2, stocks.Count);
        Assert.Equal(
            """{"company_id":1,"ticker_symbol":"7203","company_name":"トヨタ自動車株式会社","quantity":200,"purchase_price":2400}""",
            stocks[0]!.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        Assert.Equal("AAPL", stocks[1]!["ticker_symbol"]!.GetValue<string>());

        var list = (await (await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/watchlists", token))).ReadJson()).AsArray();
        Assert.Equal([id], list.Select(w => w!["watchlist_id"]!.GetValue<long>()));

        var removed = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Delete, $"/api/v1/watchlists/{id}/stocks/7203", token));
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Equal(["AAPL"], (await removed.ReadJson())["stocks"]!.AsArray().Select(s => s!["ticker_symbol"]!.GetValue<string>()));

        var removedAgain = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Delete, $"/api/v1/watchlists/{id}/stocks/7203", token));
        Assert.Equal(HttpStatusCode.NotFound, removedAgain.StatusCode);

        var deleted = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Delete, $"/api/v1/watchlists/{id}", token));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var gone = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}", token));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        var emptyList = (await (await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/watchlists", token))).ReadJson()).AsArray();
        Assert.Empty(emptyList);
    }

    [Fact(DisplayName = "Someone else's watchlist answers 404 for every route, exactly as a missing one does, and stays unchanged")]
    public async Task Foreign_watchlist_is_404()
    {
        var (owner, _) = await Http.RegisterAndLogin(GatewayFixture.NewUsername("own"));
        var (other, _) = await Http.RegisterAndLogin(GatewayFixture.NewUsername("oth"));
        var id = await Http.CreateWatchlist(owner, "Private");
        await Http.PutStock(owner, id, "7203", 1, 1);

        foreach (var target in new[] { id, 987654321L })
        {
            var responses = new[]
            {
                await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{target}", other)),
                await Http.SendAsync(ApiClient.Authorized(HttpMethod.Put, $"/api/v1/watchlists/{target}/stocks/AAPL", other, """{"quantity":1,"purchase_price":1}""")),
                await Http.SendAsync(ApiClient.Authorized(HttpMethod.Delete, $"/api/v1/watchlists/{target}/stocks/7203", other)),
                await Http.SendAsync(ApiClient.Authorized(HttpMethod.Delete, $"/api/v1/watchlists/{target}", other)),
            };
            foreach (var response in responses)
            {
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                var problem = await response.ReadJson();
                Assert.Equal("not_found", problem["code"]!.GetValue<string>());
                Assert.Equal("Watchlist not found.", problem["title"]!.GetValue<string>());
            }
        }

        var mine = await (await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}", owner))).ReadJson();
        Assert.Equal(["7203"], mine["stocks"]!.AsArray().Select(s => s!["ticker_symbol"]!.GetValue<string>()));
    }

    [Theory(DisplayName = "Bad positions are 400 validation_failed naming the field, and change nothing")]
    [InlineData("NOPE", """{"quantity":1,"purchase_price":1}""", "ticker_symbol")]
    [InlineData("7203", """{"quantity":0,"purchase_price":1}""", "quantity")]
    [InlineData("7203", """{"quantity":-5,"purchase_price":1}""", "quantity")]
    [InlineData("7203", """{"quantity":1e10,"purchase_price":1}""", "quantity")]
    [InlineData("7203", """{"purchase_price":1}""", "quantity")]
    [InlineData("7203", """{"quantity":1,"purchase_price":0}""", "purchase_price")]
    [InlineData("7203", """{"quantity":1}""", "purchase_price")]
    public async Task Bad_positions(string symbol, string body, string field)
    {
        var (token, _) = await Http.RegisterAndLogin(GatewayFixture.NewUsername("bad"));
        var id = await Http.CreateWatchlist(token, "Strict");

        var response = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Put, $"/api/v1/watchlists/{id}/stocks/{symbol}", token, body));
        var problem = await response.ReadJson();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("validation_failed", problem["code"]!.GetValue<string>());
        Assert.NotNull(problem["errors"]![field]);
        var after = await (await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}", token))).ReadJson();
        Assert.Empty(after["stocks"]!.AsArray());
    }

    [Theory(DisplayName = "Malformed bodies are a 4xx problem with a code, never a 500")]
    [InlineData("""{"quantity":"100","purchase_price":2500}""")]
    [InlineData("""{"quantity":NaN,"purchase_price":2500}""")]
    [InlineData("""{"quantity":100,""")]
    [InlineData("""[1,2,3]""")]
    [InlineData("""not json""")]
    public async Task Malformed_bodies(string body)
    {
        var (token, _) = await Http.RegisterAndLogin(GatewayFixture.NewUsername("mal"));
        var id = await Http.CreateWatchlist(token, "Strict");

        var response = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Put, $"/api/v1/watchlists/{id}/stocks/7203", token, body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("bad_request", (await response.ReadJson())["code"]!.GetValue<string>());
    }

    [Fact(DisplayName = "Unknown routes are 404 problem details with code not_found")]
    public async Task Unknown_route()
    {
        var response = await Http.GetAsync("/api/v1/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("not_found", (await response.ReadJson())["code"]!.GetValue<string>());
    }

    [Fact(DisplayName = "The catalog holds at least 40 TSE and US companies and is searchable by ticker and by name")]
    public async Task Company_search()
    {
        var all = (await (await Http.GetAsync("/api/v1/companies")).ReadJson()).AsArray();
        Assert.True(all.Count >= 40);
        Assert.Contains(all, c => c!["exchange"]!.GetValue<string>() == "TSE" && c["currency"]!.GetValue<string>() == "JPY");
        Assert.Contains(all, c => c!["exchange"]!.GetValue<string>() is "NYSE" or "NASDAQ" && c["currency"]!.GetValue<string>() == "USD");
        Assert.Equal(all.Count, all.Select(c => c!["company_id"]!.GetValue<int>()).Distinct().Count());

        var toyota = (await (await Http.GetAsync("/api/v1/companies?q=" + Uri.EscapeDataString("トヨタ"))).ReadJson()).AsArray();
        Assert.Equal(
            """{"company_id":1,"ticker_symbol":"7203","company_name":"トヨタ自動車株式会社","exchange":"TSE","currency":"JPY","previous_close":2600}""",
            Assert.Single(toyota)!.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));

        var apple = (await (await Http.GetAsync("/api/v1/companies?q=aap")).ReadJson()).AsArray();
        Assert.Equal("AAPL", apple[0]!["ticker_symbol"]!.GetValue<string>());

        var none = (await (await Http.GetAsync("/api/v1/companies?q=zzzzzz")).ReadJson()).AsArray();
        Assert.Empty(none);
    }
}
