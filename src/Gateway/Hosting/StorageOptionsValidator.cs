using ActorQuotes.Gateway.Auth;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ActorQuotes.Gateway.Hosting;

/// <summary>
/// Start-time checks of <see cref="StorageOptions"/> that a later failure would only report as a stack trace
/// or a node that never turns ready: a connection string Npgsql or SQLite cannot read, and a data folder that
/// is not a folder or cannot be written. A database that is valid but does not answer is not refused: the node
/// starts, reports not ready, and retries (docs/operations.md, "Failure handling").
/// </summary>
public sealed class StorageOptionsValidator(IOptions<AuthOptions> auth) : IValidateOptions<StorageOptions>
{
    private const string ProbeFile = ".actorquotes-write-check";

    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var failures = new List<string>();
        if (options.IsPostgreSql && !string.IsNullOrWhiteSpace(options.ConnectionString) && PostgreSqlProblem(options.ConnectionString) is { } postgres)
        {
            failures.Add(postgres);
        }

        if (options.IsSqlite && options.ConnectionString is { } sqlite && SqliteProblem(sqlite) is { } sqliteProblem)
        {
            failures.Add(sqliteProblem);
        }

        // The folder holds the SQLite file (unless a connection string points elsewhere) and the generated token key.
        var folderUsed = (options.IsSqlite && options.ConnectionString is null) || string.IsNullOrEmpty(auth.Value.SigningKey);
        if (folderUsed && DataDirectoryProblem(options) is { } folder)
        {
            failures.Add(folder);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>What Npgsql refuses before it ever connects; the value itself is not repeated (it may hold a password).</summary>
    private static string? PostgreSqlProblem(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (builder.Port is < 1 or > 65535)
            {
                return $"Storage:ConnectionString has Port={builder.Port}; a port is 1 to 65535.";
            }

            // Build checks what Npgsql otherwise checks at the first connection (a missing Host, say); it does not connect.
            using var dataSource = new NpgsqlDataSourceBuilder(connectionString).Build();
            return null;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
        {
            return $"Storage:ConnectionString is not a valid PostgreSQL (Npgsql) connection string: {e.Message}";
        }
    }

    private static string? SqliteProblem(string connectionString)
    {
        try
        {
            _ = new SqliteConnectionStringBuilder(connectionString);
            return null;
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            return $"Storage:ConnectionString is not a valid SQLite connection string: {e.Message}";
        }
    }

    /// <summary>
    /// Creates the folder if it is missing (as the node would a moment later) and writes and deletes a file in
    /// it: permissions, a read-only mount and a file in the way all show here, rather than as a crash later.
    /// </summary>
    private static string? DataDirectoryProblem(StorageOptions options)
    {
        string path;
        try
        {
            path = options.FullDataDirectory;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"Storage:DataDirectory '{options.DataDirectory}' is not a usable path: {e.Message}";
        }

        if (File.Exists(path))
        {
            return $"Storage:DataDirectory {path} is a file, not a folder; give a folder this process can write.";
        }

        try
        {
            Directory.CreateDirectory(path);
            // Named per process: a second node started on the same folder (refused later, by the lock) must not race this one.
            var probe = Path.Combine(path, $"{ProbeFile}-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"Storage:DataDirectory {path} cannot be written ({e.Message}); give a folder this process can create and write.";
        }
    }
}
