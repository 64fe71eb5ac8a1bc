namespace ActorQuotes.Gateway.Hosting;

/// <summary>Where journal and snapshots live (configuration section <c>Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary><c>sqlite</c> (default, one node) or <c>postgresql</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>Folder for the SQLite file and the token signing key; relative to the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Connection string; for SQLite it defaults to <c>{DataDirectory}/actorquotes.db</c>.</summary>
    public string? ConnectionString { get; set; }

    public bool IsSqlite => string.Equals(Provider, "sqlite", StringComparison.OrdinalIgnoreCase);

    public bool IsPostgreSql => string.Equals(Provider, "postgresql", StringComparison.OrdinalIgnoreCase);

    public string FullDataDirectory => Path.GetFullPath(DataDirectory);
}
