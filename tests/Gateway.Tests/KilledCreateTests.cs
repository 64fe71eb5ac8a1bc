using System.Net;
using ActorQuotes.Actors.Accounts;
using ActorQuotes.Gateway.Tests.Infrastructure;
using Npgsql;

namespace ActorQuotes.Gateway.Tests;

/// <summary>
/// Issue 22 item 3: a real gateway process killed with SIGKILL in the middle of <c>POST /api/v1/watchlists</c>,
/// after the account journaled its link and before the watchlist journaled its creation. A PostgreSQL trigger
/// holds the watchlist's first insert on an advisory lock this test owns, so "in the middle" is a place, not a moment.
/// </summary>
public sealed class KilledCreateTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const int Kills = 2;
    private const long HoldKey = 0x41514B494C4C; // "AQKILL": the advisory lock the trigger waits on
    private static readonly TimeSpan AbandonAfter = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>The pg_locks rows of inserts held by the trigger in this test's database.</summary>
    private const string Stuck = "locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";

    [Fact(DisplayName = "Creates killed with kill -9 after their link was journaled stop counting: the owner still gets 50 real watchlists, then limit_reached")]
    public async Task Killed_creates_do_not_count_against_the_limit()
    {
        var data = Path.Combine(Path.GetTempPath(), "aq-killed-create-" + Guid.NewGuid().ToString("N"));
        var database = await postgres.Server.CreateDatabaseAsync("killed_" + Guid.NewGuid().ToString("N")[..8]);
        var settings = new Dictionary<string, string>
        {
            ["Storage:Provider"] = "postgresql",
            ["Storage:ConnectionString"] = database,
            ["Watchlists:AbandonCreateAfter"] = AbandonAfter.ToString("c"),
        };
        const int real = AccountState.MaxWatchlists - Kills;
        try
        {
            string token;
            var lastKill = DateTimeOffset.MinValue;
            await using (var first = await GatewayProcess.StartAsync(data, settings))
            {
                (token, _) = await first.Http.RegisterAndLogin("killed_create");
                for (var i = 1; i <= real; i++)
                {
                    await first.Http.CreateWatchlist(token, "Real " + i);
                }
            }

            await using (var holder = new NpgsqlConnection(Unpooled(database)))
            {
                await holder.OpenAsync();
                await Execute(holder, $"SELECT pg_advisory_lock({HoldKey})");
                await Execute(holder, $"""
                    CREATE FUNCTION aq_test_hold_create() RETURNS trigger LANGUAGE plpgsql AS $hold$
                    BEGIN
                        IF NEW.manifest = 'aq.wl.ev.created' THEN
                            PERFORM pg_advisory_xact_lock_shared({HoldKey});
                        END IF;
                        RETURN NEW;
                    END
                    $hold$;
                    CREATE TRIGGER aq_test_hold_create BEFORE INSERT ON journal FOR EACH ROW EXECUTE FUNCTION aq_test_hold_create();
                    """);

                for (var kill = 1; kill <= Kills; kill++)
                {
                    await using var node = await GatewayProcess.StartAsync(data, settings);
                    var create = node.Http.SendAsync(ApiClient.Authorized(HttpMethod.Post, "/api/v1/watchlists", token, """{"name":"Killed"}"""));

                    // Stuck means: the watchlist's insert waits on the lock, so its link was journaled before it.
                    Assert.True(await Eventually.TrueWithin(Bound, async () => await Waiting(holder) == 1),
                        $"the create never reached the watchlist's insert\n--- gateway ---\n{node.Output}");
                    Assert.Equal(real + kill, await Count(holder, "aq.acct.ev.watchlist-linked"));

                    node.Kill();
                    lastKill = DateTimeOffset.UtcNow;
                    // The dead process's transaction waits on the lock; end it as the dead client's connection would
                    // be ended, so releasing the lock cannot let the insert through afterwards.
                    await Execute(holder, $"SELECT pg_terminate_backend(pid) FROM pg_locks WHERE {Stuck}");
                    Assert.True(await Eventually.TrueWithin(Bound, async () => await Waiting(holder) == 0));
                    await AssertNotCreated(create);
                }

                await Execute(holder, "DROP TRIGGER aq_test_hold_create ON journal");
                await Execute(holder, $"SELECT pg_advisory_unlock({HoldKey})");
            }

            await using var restarted = await GatewayProcess.StartAsync(data, settings);
            Assert.Equal(real, (await List(restarted, token)).Count);

            // The last link must be AbandonAfter old before a limit check may let it go; it was journaled before
            // the kill on this machine's clock. This waits for that age itself, not for anything to happen.
            var age = lastKill + AbandonAfter - DateTimeOffset.UtcNow;
            if (age > TimeSpan.Zero)
            {
                await Task.Delay(age);
            }

            for (var i = real + 1; i <= AccountState.MaxWatchlists; i++)
            {
                var created = await restarted.Http.SendAsync(ApiClient.Authorized(HttpMethod.Post, "/api/v1/watchlists", token, $$"""{"name":"After {{i}}"}"""));
                Assert.True(created.StatusCode == HttpStatusCode.Created,
                    $"create {i}: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}\n--- gateway ---\n{restarted.Output}");
            }

            var over = await restarted.Http.SendAsync(ApiClient.Authorized(HttpMethod.Post, "/api/v1/watchlists", token, """{"name":"One too many"}"""));
            Assert.Equal(HttpStatusCode.Conflict, over.StatusCode);
            Assert.Equal("limit_reached", (await over.ReadJson())["code"]!.GetValue<string>());
            Assert.Equal(AccountState.MaxWatchlists, (await List(restarted, token)).Count);

            // Each killed create's id is tombstoned, never created: a create still on its way would be refused.
            await using var check = new NpgsqlConnection(Unpooled(database));
            await check.OpenAsync();
            Assert.Equal(Kills, await Count(check, "aq.wl.ev.abandoned"));
            Assert.Equal(AccountState.MaxWatchlists, await Count(check, "aq.wl.ev.created"));
            Assert.Equal(Kills, await Count(check, "aq.acct.ev.watchlist-unlinked"));
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    /// <summary>
    /// The killed request got no answer, or (if the machine was slow enough for its ask to time out first) 504:
    /// either way the client was never told the watchlist exists.
    /// </summary>
    private static async Task AssertNotCreated(Task<HttpResponseMessage> create)
    {
        try
        {
            var response = await create;
            Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        }
        catch (HttpRequestException)
        {
            // the connection died with the process
        }
    }

    private static async Task<List<long>> List(GatewayProcess node, string token)
    {
        var response = await node.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/watchlists", token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJson()).AsArray().Select(w => w!["watchlist_id"]!.GetValue<long>()).ToList();
    }

    private static string Unpooled(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, CommandTimeout = 30 }.ConnectionString;

    private static async Task<long> Waiting(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM pg_locks WHERE {Stuck}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<long> Count(NpgsqlConnection connection, string manifest)
    {
        await using var command = new NpgsqlCommand("SELECT count(*) FROM journal WHERE manifest = @manifest", connection);
        command.Parameters.AddWithValue("manifest", manifest);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
