using System.Net;
using System.Text.Json.Nodes;
using ActorQuotes.Gateway.Auth;
using ActorQuotes.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Tests;

public sealed class AccountTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static readonly TimeSpan FrameWait = TimeSpan.FromSeconds(20);

    private GatewayHost Host => fixture.Host;

    private HttpClient Http => Host.Http;

    [Fact(DisplayName = "GET /auth/me names the token's user and when the token expires")]
    public async Task Me()
    {
        var username = GatewayFixture.NewUsername("me");
        var (token, userId) = await Http.RegisterAndLogin(username);

        var me = await (await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/auth/me", token))).ReadJson();

        Assert.Equal(userId, me["user_id"]!.GetValue<long>());
        Assert.Equal(username, me["username"]!.GetValue<string>());
        Assert.True(DateTimeOffset.Parse(me["token_expires_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow);
    }

    [Fact(DisplayName = "Logout revokes that token at once: REST answers 401, its open socket closes with 4401, other tokens still work")]
    public async Task Logout_revokes_everywhere()
    {
        var username = GatewayFixture.NewUsername("logout");
        var (token, _) = await Http.RegisterAndLogin(username);
        var other = (await (await Http.PostAsync("/api/v1/auth/login", ApiClient.Json($$"""{"username":"{{username}}","password":"correct-horse"}"""))).ReadJson())["token"]!.GetValue<string>();
        var id = await Http.CreateWatchlist(token, "Open");
        using var socket = await Host.Connect($"/api/v1/ws/watchlist/{id}/prices?token={token}");
        Assert.NotNull(await socket.ReceiveText(FrameWait));

        var logout = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Post, "/api/v1/auth/logout", token));
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        var after = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/watchlists", token));
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal("unauthorized", (await after.ReadJson())["code"]!.GetValue<string>());
        var stillGood = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/watchlists", other));
        Assert.Equal(HttpStatusCode.OK, stillGood.StatusCode);

        await ReadUntilClosed(socket, expectErrorCode: "unauthorized");
        Assert.Equal(4401, (int)socket.CloseStatus!);

        using var reopened = await Host.Connect($"/api/v1/ws/watchlist/{id}/prices?token={token}");
        await ReadUntilClosed(reopened, expectErrorCode: "unauthorized");
        Assert.Equal(4401, (int)reopened.CloseStatus!);
    }

    [Fact(DisplayName = "A token that expires while its socket is open closes the socket with 4401")]
    public async Task Expiry_closes_socket()
    {
        var username = GatewayFixture.NewUsername("expiring");
        var (token, userId) = await Http.RegisterAndLogin(username);
        var id = await Http.CreateWatchlist(token, "Soon");
        // Issued an hour ago with a lifetime of an hour and two seconds: two seconds left.
        var issuer = new TokenService(
            Options.Create(new AuthOptions { TokenLifetime = TimeSpan.FromHours(1) + TimeSpan.FromSeconds(2) }),
            Options.Create(new StorageOptions { DataDirectory = Host.DataDirectory }),
            new FixedClock(DateTimeOffset.UtcNow.AddHours(-1)));
        var (shortLived, _) = issuer.Issue(userId, username);

        using var socket = await Host.Connect($"/api/v1/ws/watchlist/{id}/prices?token={shortLived}");

        await ReadUntilClosed(socket, expectErrorCode: "unauthorized");
        Assert.Equal(4401, (int)socket.CloseStatus!);
    }

    [Fact(DisplayName = "After 5 failed logins the next ones are refused with 429 and Retry-After, even with the right password")]
    public async Task Repeated_failures_are_slowed_down()
    {
        var username = GatewayFixture.NewUsername("guess");
        await Http.RegisterAndLogin(username);

        for (var i = 0; i < 5; i++)
        {
            var wrong = await Http.PostAsync("/api/v1/auth/login", ApiClient.Json($$"""{"username":"{{username}}","password":"wrong-{{i}}-pass"}"""));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        var right = await Http.PostAsync("/api/v1/auth/login", ApiClient.Json($$"""{"username":"{{username}}","password":"correct-horse"}"""));

        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Equal("too_many_attempts", (await right.ReadJson())["code"]!.GetValue<string>());
        Assert.InRange(int.Parse(right.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 30);
    }

    [Fact(DisplayName = "Guessing at an unknown username is slowed down the same way")]
    public async Task Unknown_user_is_throttled()
    {
        var username = GatewayFixture.NewUsername("ghost");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized,
                (await Http.PostAsync("/api/v1/auth/login", ApiClient.Json($$"""{"username":"{{username}}","password":"guess-{{i}}-pass"}"""))).StatusCode);
        }

        var sixth = await Http.PostAsync("/api/v1/auth/login", ApiClient.Json($$"""{"username":"{{username}}","password":"guess-6-pass"}"""));

        Assert.Equal(HttpStatusCode.TooManyRequests, sixth.StatusCode);
    }

    [Fact(DisplayName = "A logout retried with an Idempotency-Key answers 204 again (a logout is idempotent by its token); without a key the revoked token is 401, and the user's other token stays valid")]
    public async Task Idempotent_logout()
    {
        var username = GatewayFixture.NewUsername("idemout");
        var (token, _) = await Http.RegisterAndLogin(username);
        var login = await Http.PostAsync("/api/v1/auth/login", ApiClient.Json($$"""{"username":"{{username}}","password":"correct-horse"}"""));
        var second = (await login.ReadJson())["token"]!.GetValue<string>();
        var key = Guid.NewGuid().ToString();

        HttpRequestMessage Logout(string bearer, string? withKey)
        {
            var request = ApiClient.Authorized(HttpMethod.Post, "/api/v1/auth/logout", bearer);
            if (withKey is not null)
            {
                request.Headers.Add("Idempotency-Key", withKey);
            }

            return request;
        }

        var first = await Http.SendAsync(Logout(token, key));
        var retry = await Http.SendAsync(Logout(token, key));
        var otherKey = await Http.SendAsync(Logout(token, Guid.NewGuid().ToString()));
        var noKey = await Http.SendAsync(Logout(token, null));
        var me = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/auth/me", token));
        var secondMe = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/auth/me", second));

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, retry.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, otherKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
        Assert.Equal(HttpStatusCode.OK, secondMe.StatusCode);
    }

    [Fact(DisplayName = "A registration retried with the same Idempotency-Key gets the first answer and creates nothing new")]
    public async Task Idempotent_registration()
    {
        var username = GatewayFixture.NewUsername("idem");
        var key = Guid.NewGuid().ToString();

        var first = await Register(username, "correct-horse", key);
        var retry = await Register(username, "correct-horse", key);
        var noKey = await Register(username, "correct-horse", null);
        var otherPassword = await Register(username, "other-password", key);
        var otherKey = await Register(username, "correct-horse", Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal((await first.ReadJson()).ToJsonString(), (await retry.ReadJson()).ToJsonString());
        Assert.Equal(HttpStatusCode.Conflict, noKey.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, otherPassword.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, otherKey.StatusCode);
    }

    [Theory(DisplayName = "Malformed Idempotency-Key headers are 400 validation_failed")]
    [InlineData("")]
    [InlineData("has space")]
    public async Task Bad_idempotency_key(string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/register")
        {
            Content = ApiClient.Json($$"""{"username":"{{GatewayFixture.NewUsername("k")}}","password":"correct-horse"}"""),
        };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);

        var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.ReadJson())["errors"]!["Idempotency-Key"]);
    }

    [Theory(DisplayName = "Username and password limits are enforced")]
    [InlineData("abcdefghijabcdefghijabcdefghijabc", "correct-horse", "username")]
    [InlineData("valid_name", "short12", "password")]
    [InlineData("name_with_Ü", "correct-horse", "username")]
    public async Task Credential_limits(string username, string password, string field)
    {
        var response = await Register(username + (username.Length < 20 ? Guid.NewGuid().ToString("N")[..6] : string.Empty), password, null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.ReadJson())["errors"]![field]);
    }

    [Fact(DisplayName = "A 129-character password is refused; a 128-character one is taken")]
    public async Task Password_length_bounds()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await Register(GatewayFixture.NewUsername("p"), new string('x', 129), null)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Register(GatewayFixture.NewUsername("p"), new string('x', 128), null)).StatusCode);
    }

    private Task<HttpResponseMessage> Register(string username, string password, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/register")
        {
            Content = ApiClient.Json($$"""{"username":"{{username}}","password":"{{password}}"}"""),
        };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return Http.SendAsync(request);
    }

    private static async Task ReadUntilClosed(System.Net.WebSockets.ClientWebSocket socket, string expectErrorCode)
    {
        string? lastError = null;
        while (await socket.ReceiveText(FrameWait) is { } text)
        {
            var frame = JsonNode.Parse(text)!;
            if (frame["type"]!.GetValue<string>() == "error")
            {
                lastError = frame["code"]!.GetValue<string>();
            }
        }

        Assert.Equal(expectErrorCode, lastError);
    }
}
