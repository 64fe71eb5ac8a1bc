using System.Net;

namespace ActorQuotes.Gateway.Tests.Auth;

/// <summary>
/// Issue 22: a flood of sign-ins for unknown users (each a full PBKDF2 hash) must not queue without bound or take
/// the node's cores from everyone else. One hashing thread with one waiting place, and hashes made slow, so the
/// flood is sure to find the pool full; timings of reads beside a flood are in bench/, not here.
/// </summary>
public sealed class SignInFloodTests(ITestOutputHelper output)
{
    [Fact(DisplayName = "Sign-ins beyond the hashing pool are refused at once with 503 unavailable and Retry-After, a read beside them answers, and the refused ones cost the user nothing")]
    public async Task Flood_is_bounded()
    {
        await using var host = await GatewayHost.StartAsync(null,
            "--Auth:HashingThreads=1", "--Auth:HashingQueue=1", "--Auth:PasswordIterations=2000000");
        var username = GatewayFixture.NewUsername("flood");
        var (token, _) = await host.Http.RegisterAndLogin(username);

        var flood = Enumerable.Range(0, 16).Select(async i =>
        {
            using var response = await host.Http.PostAsync("/api/v1/auth/login",
                ApiClient.Json($$"""{"username":"{{GatewayFixture.NewUsername($"n{i}")}}","password":"wrong-password"}"""));
            var body = await response.ReadJson();
            return (response.StatusCode, Code: body["code"]?.GetValue<string>(), RetryAfter: response.Headers.RetryAfter?.Delta);
        }).ToList();
        using var read = await host.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/watchlists", token));
        var answers = await Task.WhenAll(flood);
        output.WriteLine(string.Join(", ", answers.Select(a => $"{(int)a.StatusCode} {a.Code}")));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.ServiceUnavailable }));
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(refused);
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.Unauthorized);
        Assert.All(refused, a =>
        {
            Assert.Equal("unavailable", a.Code);
            Assert.Equal(TimeSpan.FromSeconds(1), a.RetryAfter);
        });

        // The user's own login still works once the flood has passed: refused attempts were never counted.
        using var login = await host.Http.PostAsync("/api/v1/auth/login", ApiClient.Json($$"""{"username":"{{username}}","password":"correct-horse"}"""));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Theory(DisplayName = "Hashing threads outside 1–64 or a queue outside 0–10,000 stop the start, naming the setting")]
    [InlineData("--Auth:HashingThreads=0", "HashingThreads")]
    [InlineData("--Auth:HashingQueue=-1", "HashingQueue")]
    public async Task Settings_are_checked(string setting, string key)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayHost.StartAsync(null, setting));
        Assert.Contains(key, error.ToString(), StringComparison.Ordinal);
    }
}
