using System.Net;

namespace ActorQuotes.Gateway.Tests;

/// <summary>Issue 22 item 6: a name is what a reader sees, and a body has one meaning.</summary>
public sealed class CanonicalInputTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private HttpClient Http => fixture.Host.Http;

    [Theory(DisplayName = "A username with a trailing newline, a control or an invisible character is 400 validation_failed naming username")]
    [InlineData("alice_{0}\n")]
    [InlineData("alice_{0}\r")]
    [InlineData("ali\u0000ce_{0}")]
    [InlineData("ali\u200bce_{0}")]
    [InlineData("\u202ealice_{0}")]
    public async Task Hidden_characters_in_usernames_are_refused(string pattern)
    {
        var username = string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, Guid.NewGuid().ToString("N")[..8]);
        var body = System.Text.Json.JsonSerializer.Serialize(new { username, password = "correct-horse" });

        using var response = await Http.PostAsync("/api/v1/auth/register", ApiClient.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJson();
        Assert.Equal("validation_failed", problem["code"]!.GetValue<string>());
        Assert.NotNull(problem["errors"]!["username"]);
    }

    [Fact(DisplayName = "A full-width username is the same user as its ASCII form (NFKC): it registers as ASCII, and the ASCII name logs in")]
    public async Task Full_width_usernames_are_normalized()
    {
        var ascii = "wide" + Guid.NewGuid().ToString("N")[..8];
        var fullWidth = new string(ascii.Select(c => (char)(c + 0xFEE0)).ToArray()); // 'a' → 'ａ', '0' → '０'

        using var register = await Http.PostAsync("/api/v1/auth/register", ApiClient.Json($$"""{"username":"{{fullWidth}}","password":"correct-horse"}"""));
        Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        Assert.Equal(ascii, (await register.ReadJson())["username"]!.GetValue<string>());

        using var again = await Http.PostAsync("/api/v1/auth/register", ApiClient.Json($$"""{"username":"{{ascii}}","password":"correct-horse"}"""));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        using var login = await Http.PostAsync("/api/v1/auth/login", ApiClient.Json($$"""{"username":"{{ascii}}","password":"correct-horse"}"""));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Theory(DisplayName = "A watchlist name that is invisible, or holds control or text-direction characters, is 400 validation_failed naming name, and nothing is created")]
    [InlineData("\u200b")]
    [InlineData("\u0001\u0002")]
    [InlineData("a\u0000b")]
    [InlineData("Core \u202eerocS")]
    [InlineData("\ufeffCore")]
    public async Task Hidden_characters_in_names_are_refused(string name)
    {
        var (token, _) = await Http.RegisterAndLogin(GatewayFixture.NewUsername("names"));
        var body = System.Text.Json.JsonSerializer.Serialize(new { name });

        using var response = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Post, "/api/v1/watchlists", token, body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJson();
        Assert.Equal("validation_failed", problem["code"]!.GetValue<string>());
        Assert.NotNull(problem["errors"]!["name"]);
        using var list = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/watchlists", token));
        Assert.Empty((await list.ReadJson()).AsArray());
    }

    [Fact(DisplayName = "A body with a key twice is refused rather than read last-wins, and a case-variant key is not the field: both change nothing")]
    public async Task One_meaning_per_body()
    {
        var (token, _) = await Http.RegisterAndLogin(GatewayFixture.NewUsername("dup"));
        var id = await Http.CreateWatchlist(token, "Strict");

        using var duplicate = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Put, $"/api/v1/watchlists/{id}/stocks/7203", token,
            """{"quantity":-5,"quantity":5,"purchase_price":2500}"""));
        using var caseVariant = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Put, $"/api/v1/watchlists/{id}/stocks/7203", token,
            """{"Quantity":5,"purchase_price":2500}"""));

        Assert.Equal(HttpStatusCode.BadRequest, duplicate.StatusCode);
        Assert.Equal("bad_request", (await duplicate.ReadJson())["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, caseVariant.StatusCode);
        var problem = await caseVariant.ReadJson();
        Assert.Equal("validation_failed", problem["code"]!.GetValue<string>());
        Assert.NotNull(problem["errors"]!["quantity"]);
        using var state = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}", token));
        Assert.Empty((await state.ReadJson())["stocks"]!.AsArray());
    }
}
