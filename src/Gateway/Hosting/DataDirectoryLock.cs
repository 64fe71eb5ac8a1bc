namespace ActorQuotes.Gateway.Hosting;

/// <summary>
/// An exclusive lock on <c>{DataDirectory}/actorquotes.lock</c> while a node uses SQLite there. A second
/// process on the same folder would form a second cluster writing the same journal (two writers for one
/// persistence id), so it is refused at start with a message that says to use PostgreSQL.
/// The operating system drops the lock when the process dies, so a crash never leaves it behind.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = "actorquotes.lock";

    private FileStream? _lock;

    public void Acquire(string dataDirectory)
    {
        if (_lock is not null)
        {
            return;
        }

        var path = Path.Combine(dataDirectory, FileName);
        try
        {
            // FileShare.None is an advisory flock on Unix and a sharing lock on Windows.
            _lock = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (IsHeldByAnother(e))
        {
            throw new NodeConfigurationException(
                $"Another ActorQuotes node already uses the SQLite data in {dataDirectory} ({path} is locked). " +
                "SQLite is for one node only: to run several nodes, give each the same PostgreSQL database with " +
                "Storage:Provider=postgresql and Storage:ConnectionString, and join them with Node:SeedNodes.",
                e);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new NodeConfigurationException(
                $"Storage:DataDirectory {dataDirectory} cannot be used: {path} cannot be opened ({e.Message}).", e);
        }
    }

    /// <summary>
    /// Whether the lock is taken, as opposed to the folder being unusable (a read-only mount is an
    /// <see cref="IOException"/> too, and must not be reported as a second node). .NET reports a taken
    /// lock with the platform's own code: EWOULDBLOCK on Unix (11 on Linux, 35 on macOS), a sharing or lock
    /// violation on Windows.
    /// </summary>
    private static bool IsHeldByAnother(IOException e) =>
        OperatingSystem.IsWindows()
            ? (e.HResult & 0xFFFF) is 32 or 33
            : e.HResult == (OperatingSystem.IsLinux() ? 11 : 35);

    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }
}

/// <summary>A node refuses to start because of how it is configured; the message says what to change.</summary>
public sealed class NodeConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
