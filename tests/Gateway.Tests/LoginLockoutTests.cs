using System.Net;

namespace ActorQuotes.Gateway.Tests;

/// <summary>Issue 22 item 5: the login lockout counts what was tried, in parallel too, and a restart forgets nothing.</summary>
public sealed class LoginLockoutTests
{
    [Fact(DisplayName = "60 parallel wrong guesses get exactly five password checks, the rest 429; after a restart the account is still locked, even with the right password")]
    public async Task Lockout_is_capped_and_survives_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "aq-lockout-" + Guid.NewGuid().ToString("N"));
        var username = GatewayFixture.NewUsername("guessed");
        try
        {
            await using (var first = await GatewayHost.StartAsync(data))
            {
                await first.Http.RegisterAndLogin(username);
                var guesses = await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
                {
                    using var response = await first.Http.PostAsync("/api/v1/auth/login",
                        ApiClient.Json($$"""{"username":"{{username}}","password":"wrong-guess-{{i}}"}"""));
                    return response.StatusCode;
                }));

                Assert.Equal(LoginThrottleFreeAttempts, guesses.Count(s => s == HttpStatusCode.Unauthorized));
                Assert.Equal(60 - LoginThrottleFreeAttempts, guesses.Count(s => s == HttpStatusCode.TooManyRequests));
                await first.StopAsync();
            }

            await using var second = await GatewayHost.StartAsync(data);
            using var right = await second.Http.PostAsync("/api/v1/auth/login",
                ApiClient.Json($$"""{"username":"{{username}}","password":"correct-horse"}"""));

            Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
            Assert.Equal("too_many_attempts", (await right.ReadJson())["code"]!.GetValue<string>());
            Assert.NotNull(right.Headers.RetryAfter);
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    private const int LoginThrottleFreeAttempts = ActorQuotes.Actors.Accounts.LoginThrottle.FreeAttempts;
}
