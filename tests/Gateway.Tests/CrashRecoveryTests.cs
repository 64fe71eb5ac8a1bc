using System.Net;
using ActorQuotes.Gateway.Tests.Infrastructure;

namespace ActorQuotes.Gateway.Tests;

/// <summary>A real gateway process killed with SIGKILL right after a 2xx, then started again on the same database.</summary>
public sealed class CrashRecoveryTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Theory(DisplayName = "Every write acknowledged before kill -9 is there after the restart")]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task Acknowledged_writes_survive_sigkill(string provider)
    {
        var data = Path.Combine(Path.GetTempPath(), "aq-crash-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string> { ["Storage:Provider"] = provider };
        if (provider == "postgresql")
        {
            settings["Storage:ConnectionString"] = await postgres.Server.CreateDatabaseAsync("crash_" + Guid.NewGuid().ToString("N")[..8]);
        }

        try
        {
            string token;
            long id;
            await using (var first = await GatewayProcess.StartAsync(data, settings))
            {
                (token, _) = await first.Http.RegisterAndLogin("crash_user");
                id = await first.Http.CreateWatchlist(token, "Crash");
                await first.Http.PutStock(token, id, "7203", 100, 2500);
                await first.Http.PutStock(token, id, "AAPL", 3, 199.5);
                var renamed = await first.Http.SendAsync(ApiClient.Authorized(HttpMethod.Patch, $"/api/v1/watchlists/{id}", token, """{"name":"Crashed"}"""));
                Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);

                first.Kill(); // straight after the last answer, no shutdown of any kind
                Assert.True(first.HasExited);
            }

            await using var second = await GatewayProcess.StartAsync(data, settings);
            var response = await second.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}", token));
            Assert.True(response.StatusCode == HttpStatusCode.OK,
                $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n--- restarted gateway ---\n{second.Output}");
            var watchlist = await response.ReadJson();
            Assert.Equal("Crashed", watchlist["name"]!.GetValue<string>());
            Assert.Equal(["7203", "AAPL"], watchlist["stocks"]!.AsArray().Select(s => s!["ticker_symbol"]!.GetValue<string>()));
            Assert.Equal(199.5, watchlist["stocks"]![1]!["purchase_price"]!.GetValue<double>());
            var login = await second.Http.PostAsync("/api/v1/auth/login", ApiClient.Json("""{"username":"crash_user","password":"correct-horse"}"""));
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            Assert.True(await second.Http.CreateWatchlist(token, "After") > id);
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }
}
