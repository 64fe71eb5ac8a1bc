using ActorQuotes.Gateway.Fencing;
using ActorQuotes.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ActorQuotes.Gateway.Tests.Fencing;

/// <summary>
/// The fence itself, on a real PostgreSQL the fixture starts: stand-in journal and snapshot tables, two node
/// leases, and writes through connections named as the nodes' journal connections are. Leases are made to run
/// out by moving their expiry, not by waiting; the renewal interval is long enough never to run meanwhile.
/// </summary>
public sealed class NodeLeaseTests : IAsyncLifetime
{
    private static readonly FencingOptions Options = new() { NodeLeaseTtl = TimeSpan.FromMinutes(3), RenewInterval = TimeSpan.FromMinutes(1) };

    private PostgresServer _postgres = null!;
    private string _database = string.Empty;

    public async ValueTask InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        _database = await _postgres.CreateDatabaseAsync("fence");
        await Sql(_database, "CREATE TABLE journal (persistence_id text, sequence_nr bigint, UNIQUE (persistence_id, sequence_nr)); CREATE TABLE snapshot (persistence_id text)");
    }

    public async ValueTask DisposeAsync() => await _postgres.DisposeAsync();

    [Fact(DisplayName = "A node with a live lease writes; a connection of no node, or of a node whose lease ran out, is refused by the database")]
    public async Task Trigger_refuses_writes_without_a_live_lease()
    {
        using var a = await StartedLease();
        Assert.True(await a.AcquireAsync("shard-1", null));

        await Write(a.Owner, "watchlist-1", 1);
        var stranger = await Assert.ThrowsAsync<PostgresException>(() => Write("aq-someone-else", "watchlist-1", 2));
        Assert.Contains("actorquotes fence", stranger.MessageText, StringComparison.Ordinal);

        await RunOut(a.Owner);
        var late = await Assert.ThrowsAsync<PostgresException>(() => Write(a.Owner, "watchlist-1", 2));
        Assert.Contains("holds no live lease", late.MessageText, StringComparison.Ordinal);
        await Assert.ThrowsAsync<PostgresException>(() => Sql(JournalConnection(a.Owner), "INSERT INTO snapshot VALUES ('watchlist-1')"));
        Assert.Equal(1L, await Scalar("SELECT count(*) FROM journal"));
    }

    [Fact(DisplayName = "A shard held by a live node cannot be taken; once that node's lease ran out it can, and the old node can never write or renew again")]
    public async Task Shard_moves_only_when_its_holder_is_fenced()
    {
        using var a = await StartedLease();
        using var b = await StartedLease();
        Assert.True(await a.AcquireAsync("shard-1", null));
        Assert.False(await b.AcquireAsync("shard-1", null));
        Assert.True(a.Holds("shard-1"));

        await RunOut(a.Owner);
        Assert.True(await b.AcquireAsync("shard-1", null));
        Assert.Equal(0L, await Scalar($"SELECT count(*) FROM aq_node_lease WHERE owner = '{a.Owner}'"));
        Assert.Equal(b.Owner, await Scalar("SELECT owner FROM aq_shard_lease WHERE name = 'shard-1'"));
        Assert.Equal(2L, await Scalar("SELECT generation FROM aq_shard_lease WHERE name = 'shard-1'"));
        await Assert.ThrowsAsync<PostgresException>(() => Write(a.Owner, "watchlist-1", 1));
        await Write(b.Owner, "watchlist-1", 1);
    }

    [Fact(DisplayName = "A write in flight when its node's lease runs out holds the take-over back until it ends, and then lands before the new holder starts")]
    public async Task In_flight_write_lands_before_the_take_over()
    {
        using var a = await StartedLease();
        using var b = await StartedLease();
        Assert.True(await a.AcquireAsync("shard-1", null));

        // A's journal transaction has inserted (the fence passed) but not committed: a node frozen mid-write
        // (on a connection whose idle transaction the server keeps, unlike a journal connection's; see below).
        var patient = NodeLease.JournalConnectionString(_database, a.Owner, new FencingOptions { IdleTransactionTimeout = TimeSpan.FromMinutes(5) });
        await using var frozen = new NpgsqlConnection(patient);
        await frozen.OpenAsync();
        var transaction = await frozen.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("INSERT INTO journal VALUES ('watchlist-1', 1)", frozen, transaction))
        {
            await insert.ExecuteNonQueryAsync();
        }

        await RunOut(a.Owner);
        Assert.False(await b.AcquireAsync("shard-1", null)); // its delete waited for A's row lock and gave up
        await transaction.CommitAsync();

        Assert.True(await b.AcquireAsync("shard-1", null));
        Assert.Equal(1L, await Scalar("SELECT count(*) FROM journal WHERE persistence_id = 'watchlist-1'"));
        await Assert.ThrowsAsync<PostgresException>(() => Write(a.Owner, "watchlist-1", 2));
    }

    [Fact(DisplayName = "A frozen node's open journal transaction is ended by the server after the idle timeout: the take-over goes ahead and the frozen write never commits")]
    public async Task Frozen_transaction_is_ended_by_the_server()
    {
        using var a = await StartedLease();
        using var b = await StartedLease();
        Assert.True(await a.AcquireAsync("shard-1", null));
        await using var frozen = new NpgsqlConnection(NodeLease.JournalConnectionString(_database, a.Owner,
            new FencingOptions { IdleTransactionTimeout = TimeSpan.FromMilliseconds(500) }));
        await frozen.OpenAsync();
        var transaction = await frozen.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("INSERT INTO journal VALUES ('watchlist-1', 1)", frozen, transaction))
        {
            await insert.ExecuteNonQueryAsync();
        }

        await RunOut(a.Owner);
        Assert.True(await b.AcquireAsync("shard-1", null)); // waits at most the idle timeout, well inside its 3 s lock timeout
        await Assert.ThrowsAnyAsync<Exception>(() => transaction.CommitAsync());
        Assert.Equal(0L, await Scalar("SELECT count(*) FROM journal"));
    }

    [Fact(DisplayName = "A released shard lease is taken at once by another live node, and a node that gives back its lease leaves nothing behind")]
    public async Task Released_leases_move_at_once()
    {
        using var a = await StartedLease();
        using var b = await StartedLease();
        Assert.True(await a.AcquireAsync("shard-1", null));
        Assert.True(await a.ReleaseAsync("shard-1"));
        Assert.True(await b.AcquireAsync("shard-1", null));

        Assert.True(await a.AcquireAsync("shard-2", null));
        await a.ReleaseNodeAsync();
        Assert.True(await b.AcquireAsync("shard-2", null));
        Assert.Equal(0L, await Scalar($"SELECT count(*) FROM aq_node_lease WHERE owner = '{a.Owner}'"));
    }

    [Fact(DisplayName = "Shard lease releases stuck behind another node's locks neither starve nor block the node lease's renewals")]
    public async Task Stuck_releases_do_not_stop_renewals()
    {
        // Renewed every second and good for three, so a renewal held back for more than two seconds lets it run out.
        var renewing = new FencingOptions { NodeLeaseTtl = TimeSpan.FromSeconds(3), RenewInterval = TimeSpan.FromSeconds(1) };
        using var a = await StartedLease(renewing);
        var shards = Enumerable.Range(1, 12).Select(i => $"shard-{i}").ToArray();
        foreach (var shard in shards)
        {
            Assert.True(await a.AcquireAsync(shard, null));
        }

        // Another node's take-overs hold every shard row (FOR UPDATE), as when a leaving node hands off all its
        // shards at once: A's releases wait for the locks (each up to its 3 s lock timeout), more of them than its pool.
        await using var other = new NpgsqlConnection(_database);
        await other.OpenAsync();
        var takeOver = await other.BeginTransactionAsync();
        await using (var lockRows = new NpgsqlCommand("SELECT name FROM aq_shard_lease FOR UPDATE", other, takeOver))
        {
            await lockRows.ExecuteNonQueryAsync();
        }

        var releases = shards.Select(shard => Task.Run(async () =>
        {
            try
            {
                return await a.ReleaseAsync(shard);
            }
            catch (NpgsqlException)
            {
                return false; // gave up on the lock: the renewal gives it back later
            }
        })).ToArray();

        // For two lease lifetimes, A's lease never runs out (its expiry, on the database's clock, stays ahead).
        var expired = new List<string>();
        using (var every = new PeriodicTimer(TimeSpan.FromMilliseconds(250)))
        {
            var until = DateTime.UtcNow + 2 * renewing.NodeLeaseTtl;
            while (DateTime.UtcNow < until && await every.WaitForNextTickAsync())
            {
                if (await Scalar($"SELECT expires_at > clock_timestamp() FROM aq_node_lease WHERE owner = '{a.Owner}'") is not true)
                {
                    expired.Add(DateTime.UtcNow.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        await takeOver.CommitAsync();
        await Task.WhenAll(releases);
        Assert.True(expired.Count == 0, $"A's node lease had run out at {string.Join(", ", expired)}");
        Assert.True(a.IsHeld);

        // Whatever the releases did, the renewals give back what A no longer holds.
        Assert.True(await Eventually.TrueWithin(TimeSpan.FromSeconds(30),
            async () => (long)(await Scalar($"SELECT count(*) FROM aq_shard_lease WHERE owner = '{a.Owner}'"))! == 0));
    }

    private async Task<NodeLease> StartedLease(FencingOptions? options = null)
    {
        var lease = new NodeLease(_database, ["journal", "snapshot"], options ?? Options, NullLogger<NodeLease>.Instance);
        await lease.StartAsync("127.0.0.1:0 test", CancellationToken.None);
        return lease;
    }

    private string JournalConnection(string owner) => NodeLease.JournalConnectionString(_database, owner, Options);

    private Task Write(string owner, string persistenceId, long sequenceNr) =>
        Sql(JournalConnection(owner), $"INSERT INTO journal VALUES ('{persistenceId}', {sequenceNr})");

    private Task RunOut(string owner) =>
        Sql(_database, $"UPDATE aq_node_lease SET expires_at = clock_timestamp() - interval '1 second' WHERE owner = '{owner}'");

    private async Task<object?> Scalar(string sql)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static async Task Sql(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
