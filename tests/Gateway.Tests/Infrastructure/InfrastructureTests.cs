using System.Net;
using System.Text.Json.Nodes;
using Npgsql;

namespace ActorQuotes.Gateway.Tests.Infrastructure;

public sealed class InfrastructureTests
{
    [Fact(DisplayName = "A PostgreSQL server started by the test accepts connections, refuses them while stopped and accepts them again after a restart")]
    public async Task Postgres_server_survives_a_stop_and_restart()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await PostgresServer.StartAsync(ct);
        var connectionString = await server.CreateDatabaseAsync("smoke", ct);

        Assert.Equal(1, await SelectOne(connectionString, ct));

        await server.StopAsync();
        NpgsqlConnection.ClearAllPools();
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => SelectOne(connectionString, ct));

        await server.StartAgainAsync();
        Assert.Equal(1, await SelectOne(connectionString, ct));
    }

    [Fact(DisplayName = "The gateway runs as its own process, answers HTTP, and dies on SIGKILL")]
    public async Task Gateway_process_answers_and_dies_on_sigkill()
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDirectory = Path.Combine(Path.GetTempPath(), "aq-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var gateway = await GatewayProcess.StartAsync(dataDirectory, ct: ct);

            var response = await gateway.Http.GetAsync("/api/v1/companies", ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.IsType<JsonArray>(JsonNode.Parse(await response.Content.ReadAsStringAsync(ct)));

            gateway.Kill();

            Assert.True(gateway.HasExited);
            using var fresh = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            await Assert.ThrowsAsync<HttpRequestException>(() => fresh.GetAsync("/api/v1/companies", ct));
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    private static async Task<int> SelectOne(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        return (int)(await command.ExecuteScalarAsync(ct))!;
    }
}
