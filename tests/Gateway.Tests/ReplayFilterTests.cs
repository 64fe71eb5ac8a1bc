using System.Net;
using Microsoft.Data.Sqlite;

namespace ActorQuotes.Gateway.Tests;

/// <summary>
/// Decision 0002: Akka.Persistence.Sql records one writer id per journal, so an entity that moved to another node
/// and back has a history whose writer ids go X, Y, X. Every event of it must come back on recovery.
/// </summary>
public sealed class ReplayFilterTests
{
    [Fact(DisplayName = "A watchlist whose history was written by one node, then another, then the first again recovers every acknowledged position")]
    public async Task History_with_returning_writer_recovers_whole()
    {
        var data = Path.Combine(Path.GetTempPath(), "aq-replay-" + Guid.NewGuid().ToString("N"));
        try
        {
            string token;
            long id;
            await using (var first = await GatewayHost.StartAsync(data))
            {
                (token, _) = await first.Http.RegisterAndLogin("moved_back");
                id = await first.Http.CreateWatchlist(token, "Moved");
                for (var quantity = 1; quantity <= 3; quantity++)
                {
                    await first.Http.PutStock(token, id, "7203", quantity, 2500);
                }

                await first.StopAsync();
            }

            // As if the watchlist had lived on another node for its second position and then come back.
            SqliteConnection.ClearAllPools();
            await using (var db = new SqliteConnection($"Data Source={Path.Combine(data, "actorquotes.db")}"))
            {
                await db.OpenAsync();
                await using var moved = db.CreateCommand();
                moved.CommandText = "UPDATE journal SET writer_uuid = 'another-node' WHERE persistence_id = $id AND sequence_number = 3";
                moved.Parameters.AddWithValue("$id", $"watchlist-{id}");
                Assert.Equal(1, await moved.ExecuteNonQueryAsync());
            }

            SqliteConnection.ClearAllPools();
            await using var second = await GatewayHost.StartAsync(data);
            using var get = await second.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, $"/api/v1/watchlists/{id}", token));

            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(3, (await get.ReadJson())["stocks"]![0]!["quantity"]!.GetValue<double>());
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }
}
