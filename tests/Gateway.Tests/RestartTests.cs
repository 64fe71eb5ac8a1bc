using System.Net;
using System.Text.Json.Nodes;
using ActorQuotes.Gateway.Tests.Infrastructure;

namespace ActorQuotes.Gateway.Tests;

public sealed class RestartTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Theory(DisplayName = "After the process stops and starts again on the same data, users, tokens and watchlists are all still there")]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task Survives_restart(string provider)
    {
        var data = Path.Combine(Path.GetTempPath(), "aq-restart-" + Guid.NewGuid().ToString("N"));
        string[] args = provider == "postgresql"
            ? ["--Storage:Provider=postgresql", "--Storage:ConnectionString=" + await postgres.Server.CreateDatabaseAsync("restart_" + Guid.NewGuid().ToString("N")[..8])]
            : [];
        try
        {
            string token;
            long firstId;
            await using (var first = await GatewayHost.StartAsync(data, args))
            {
                (token, _) = await first.Http.RegisterAndLogin("restart_user");
                firstId = await first.Http.CreateWatchlist(token, "Before restart");
                await first.Http.PutStock(token, firstId, "7203", 100, 2500);
                await first.StopAsync();
            }

            await using var second = await GatewayHost.StartAsync(data, args);

            // The old token still works, and the watchlist came back from the journal.
            var get = await second.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{firstId}", token));
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            var watchlist = await get.ReadJson();
            Assert.Equal("Before restart", watchlist["name"]!.GetValue<string>());
            Assert.Equal(100, watchlist["stocks"]![0]!["quantity"]!.GetValue<double>());

            var list = (await (await second.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/watchlists", token))).ReadJson()).AsArray();
            Assert.Equal([firstId], list.Select(w => w!["watchlist_id"]!.GetValue<long>()));

            // The password still logs in; the name is still taken; ids keep growing.
            var login = await second.Http.PostAsync("/api/v1/auth/login", ApiClient.Json("""{"username":"restart_user","password":"correct-horse"}"""));
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            var again = await second.Http.PostAsync("/api/v1/auth/register", ApiClient.Json("""{"username":"restart_user","password":"correct-horse"}"""));
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            var secondId = await second.Http.CreateWatchlist(token, "After restart");
            Assert.True(secondId > firstId);

            // And the stream serves it.
            using var socket = await second.Connect($"/api/v1/ws/watchlist/{firstId}/prices?token={token}");
            var frame = JsonNode.Parse((await socket.ReceiveText(TimeSpan.FromSeconds(20)))!)!;
            Assert.Equal("price_update", frame["type"]!.GetValue<string>());
            Assert.Equal("7203", frame["stocks"]![0]!["ticker_symbol"]!.GetValue<string>());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }
}
