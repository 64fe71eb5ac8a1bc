using System.Data.Common;
using ActorQuotes.Gateway.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ActorQuotes.Gateway.Auth;

/// <summary>One recorded logout: which token, whose, until when it matters, and when it was recorded.</summary>
public sealed record StoredRevocation(string TokenId, string Username, DateTimeOffset ExpiresAt, DateTimeOffset RevokedAt);

/// <summary>
/// The durable list of logouts: table <c>token_revocations</c> in the journal's database (SQLite or
/// PostgreSQL), written by whichever gateway answers the logout and read by every node at start and on
/// each poll. A row per token (inserting it twice is one row), deleted once its token has expired. It
/// depends on no entity and no other node, only on the database a node cannot serve writes without.
/// </summary>
public sealed class RevocationStore
{
    /// <summary>A statement that takes longer than this fails (503 for a logout; the next poll tries again).</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(5);

    private readonly bool _postgres;
    private readonly string _connectionString;

    public RevocationStore(IOptions<StorageOptions> storage)
    {
        _postgres = storage.Value.IsPostgreSql;
        var connectionString = AkkaSetup.ConnectionString(storage.Value);
        // A pool of its own (a different application name), so a statement here never waits for, or hands
        // back, one of the journal's connections.
        _connectionString = _postgres
            ? new NpgsqlConnectionStringBuilder(connectionString)
            {
                ApplicationName = "actorquotes-revocations",
                Timeout = (int)CommandTimeout.TotalSeconds,
                CommandTimeout = (int)CommandTimeout.TotalSeconds,
            }.ConnectionString
            : new SqliteConnectionStringBuilder(connectionString) { DefaultTimeout = (int)CommandTimeout.TotalSeconds }.ConnectionString;
    }

    /// <summary>Creates the table and its index when missing (every node tries; the first one creates them).</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        const string sql = """
            CREATE TABLE IF NOT EXISTS token_revocations (
                token_id VARCHAR(64) NOT NULL PRIMARY KEY,
                username VARCHAR(64) NOT NULL,
                expires_at BIGINT NOT NULL,
                revoked_at BIGINT NOT NULL);
            CREATE INDEX IF NOT EXISTS token_revocations_revoked_at ON token_revocations (revoked_at);
            """;
        try
        {
            await ExecuteAsync(sql, [], cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable)
        {
            // Another node created it at the same moment (PostgreSQL's IF NOT EXISTS does not serialize that).
        }
    }

    /// <summary>Records a logout durably; recording the same token again changes nothing.</summary>
    public Task RecordAsync(StoredRevocation revocation, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            INSERT INTO token_revocations (token_id, username, expires_at, revoked_at)
            VALUES (@token_id, @username, @expires_at, @revoked_at)
            ON CONFLICT (token_id) DO NOTHING
            """,
            [
                ("@token_id", revocation.TokenId),
                ("@username", revocation.Username),
                ("@expires_at", revocation.ExpiresAt.ToUnixTimeMilliseconds()),
                ("@revoked_at", revocation.RevokedAt.ToUnixTimeMilliseconds()),
            ],
            cancellationToken);

    /// <summary>The revocations recorded at or after <paramref name="since"/> whose tokens are still unexpired at <paramref name="now"/>.</summary>
    public async Task<IReadOnlyList<StoredRevocation>> ReadAsync(DateTimeOffset since, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection,
            "SELECT token_id, username, expires_at, revoked_at FROM token_revocations WHERE revoked_at >= @since AND expires_at > @now",
            [("@since", since.ToUnixTimeMilliseconds()), ("@now", now.ToUnixTimeMilliseconds())]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<StoredRevocation>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new StoredRevocation(
                reader.GetString(0),
                reader.GetString(1),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
        }

        return rows;
    }

    /// <summary>Deletes the rows of tokens that expired before <paramref name="before"/>; how many went.</summary>
    public Task<int> DeleteExpiredAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        ExecuteAsync("DELETE FROM token_revocations WHERE expires_at < @before", [("@before", before.ToUnixTimeMilliseconds())], cancellationToken);

    private async Task<int> ExecuteAsync(string sql, (string Name, object Value)[] parameters, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        DbConnection connection = _postgres ? new NpgsqlConnection(_connectionString) : new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static DbCommand Command(DbConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = (int)CommandTimeout.TotalSeconds;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
