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
        catch (IOException e)
        {
            throw new NodeConfigurationException(
                $"Another ActorQuotes node already uses the SQLite data in {dataDirectory} ({path} is locked). " +
                "SQLite is for one node only: to run several nodes, give each the same PostgreSQL database with " +
                "Storage:Provider=postgresql and Storage:ConnectionString, and join them with Node:SeedNodes.",
                e);
        }
    }

    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }
}

/// <summary>A node refuses to start because of how it is configured; the message says what to change.</summary>
public sealed class NodeConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
