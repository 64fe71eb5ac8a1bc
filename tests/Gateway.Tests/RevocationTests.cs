using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using ActorQuotes.Gateway.Auth;
using ActorQuotes.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ActorQuotes.Gateway.Tests;

/// <summary>
/// Logouts on one real node (Kestrel, cluster of one, a real SQLite file or a real PostgreSQL): durable across a
/// restart, and picked up from the database by the poll when no pub-sub notice brings them.
/// </summary>
public sealed class RevocationTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan FrameWait = TimeSpan.FromSeconds(20);

    [Theory(DisplayName = "A logout survives a restart: on the same data the logged-out token answers 401 and opens no stream, while another token of the user still works")]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task Logout_survives_restart(string provider)
    {
        var data = Path.Combine(Path.GetTempPath(), "aq-revocation-" + Guid.NewGuid().ToString("N"));
        string[] args = provider == "postgresql"
            ? ["--Storage:Provider=postgresql", "--Storage:ConnectionString=" + await postgres.Server.CreateDatabaseAsync("revocation_" + Guid.NewGuid().ToString("N")[..8])]
            : [];
        try
        {
            string token;
            string other;
            long id;
            var username = GatewayFixture.NewUsername("revoked");
            await using (var first = await GatewayHost.StartAsync(data, args))
            {
                (token, _) = await first.Http.RegisterAndLogin(username);
                other = await Login(first.Http, username);
                id = await first.Http.CreateWatchlist(token, "Kept");
                using var logout = await first.Http.SendAsync(ApiClient.Authorized(HttpMethod.Post, "/api/v1/auth/logout", token));
                Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
                await first.StopAsync();
            }

            await using var second = await GatewayHost.StartAsync(data, args);

            using var refused = await second.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/auth/me", token));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("unauthorized", (await refused.ReadJson())["code"]!.GetValue<string>());
            using var stillGood = await second.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}", other));
            Assert.Equal(HttpStatusCode.OK, stillGood.StatusCode);

            using var socket = await second.Connect($"/api/v1/ws/watchlist/{id}/prices?token={token}");
            Assert.Equal("unauthorized", await LastErrorBeforeClose(socket));
            Assert.Equal(4401, (int)socket.CloseStatus!);
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

    [Fact(DisplayName = "A logout another node recorded, with no pub-sub notice reaching this one, is read by the poll: REST answers 401 and the open socket closes with 4401")]
    public async Task Poll_catches_a_missed_notice()
    {
        await using var host = await GatewayHost.StartAsync(null, "--Auth:RevocationPollInterval=00:00:00.200");
        var username = GatewayFixture.NewUsername("polled");
        var (token, _) = await host.Http.RegisterAndLogin(username);
        var id = await host.Http.CreateWatchlist(token, "Polled");
        using var socket = await host.Connect($"/api/v1/ws/watchlist/{id}/prices?token={token}");
        Assert.NotNull(await socket.ReceiveText(FrameWait));
        var me = await (await host.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/auth/me", token))).ReadJson();
        var expiresAt = DateTimeOffset.Parse(me["token_expires_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

        // What another node's logout leaves behind when its notice is lost: the row only.
        var tokens = host.Services.GetRequiredService<TokenService>();
        var tokenId = tokens.Validate(token)!.TokenId;
        await host.Services.GetRequiredService<RevocationStore>()
            .RecordAsync(new StoredRevocation(tokenId, username, expiresAt, DateTimeOffset.UtcNow), CancellationToken.None);

        Assert.Equal("unauthorized", await LastErrorBeforeClose(socket));
        Assert.Equal(4401, (int)socket.CloseStatus!);
        using var after = await host.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/auth/me", token));
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact(DisplayName = "A node that cannot read the stored logouts accepts no token: authenticated requests answer 503 unavailable and /health/ready names the revocations check")]
    public async Task No_token_before_the_list_is_loaded()
    {
        // A database nobody listens on: the node starts, but never reads the logged-out tokens.
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var deadPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var signingKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var data = Path.Combine(Path.GetTempPath(), "aq-unloaded-" + Guid.NewGuid().ToString("N"));
        var app = GatewayApp.Build(
        [
            "--urls=http://127.0.0.1:0",
            "--Storage:DataDirectory=" + data,
            "--Storage:Provider=postgresql",
            $"--Storage:ConnectionString=Host=127.0.0.1;Port={deadPort};Database=none;Username=none;Password=none;Timeout=1;Command Timeout=1",
            "--Auth:SigningKey=" + signingKey,
            "--Logging:LogLevel:Default=None",
        ]);
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
                .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.Single();
            using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
            var (token, _) = app.Services.GetRequiredService<TokenService>().Issue(1, "nobody");

            using var me = await http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/auth/me", token));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, me.StatusCode);
            Assert.Equal("unavailable", (await me.ReadJson())["code"]!.GetValue<string>());

            using var ready = await http.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            var revocations = (await ready.ReadJson())["checks"]!["revocations"]!;
            Assert.Equal("Unhealthy", revocations["status"]!.GetValue<string>());
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    private static async Task<string> Login(HttpClient http, string username)
    {
        using var login = await http.PostAsync("/api/v1/auth/login", ApiClient.Json($$"""{"username":"{{username}}","password":"correct-horse"}"""));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return (await login.ReadJson())["token"]!.GetValue<string>();
    }

    /// <summary>Reads frames until the server closes (within <see cref="FrameWait"/> in all); the code of the last error frame.</summary>
    private static async Task<string?> LastErrorBeforeClose(ClientWebSocket socket)
    {
        string? lastError = null;
        var deadline = DateTime.UtcNow + FrameWait;
        while (await socket.ReceiveText(Left(deadline)) is { } text)
        {
            var frame = JsonNode.Parse(text)!;
            if (frame["type"]!.GetValue<string>() == "error")
            {
                lastError = frame["code"]!.GetValue<string>();
            }
        }

        return lastError;
    }

    private static TimeSpan Left(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        Assert.True(left > TimeSpan.Zero, $"the socket did not close within {FrameWait.TotalSeconds} s");
        return left;
    }
}
