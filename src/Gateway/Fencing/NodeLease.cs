using System.Collections.Concurrent;
using System.Diagnostics;
using ActorQuotes.Contracts;
using Npgsql;

namespace ActorQuotes.Gateway.Fencing;

/// <summary>
/// This node's lease in PostgreSQL, and the shard leases it holds under it (docs/architecture.md, "Fencing").
/// <list type="bullet">
/// <item>The node lease is one row, keyed by this process's <see cref="Owner"/>, which is also the
/// <c>application_name</c> of every journal connection. The fence trigger lets a connection write only while
/// its row exists and has not run out.</item>
/// <item>A shard lease names its owner. Another node may take it only once the owner's node lease has run out,
/// and then deletes that row in the same transaction: the old owner can never write or renew again, and the
/// delete waits for any write of the old owner still in flight, which therefore lands before the new owner
/// recovers.</item>
/// </list>
/// Renewal runs on a thread of its own, so a busy thread pool does not let the lease run out.
/// </summary>
public sealed class NodeLease : IDisposable
{
    private readonly string _connectionString;
    private readonly string _renewalConnectionString;
    private readonly SemaphoreSlim _shardOperations = new(ShardOperationsAtOnce, ShardOperationsAtOnce);
    private readonly SemaphoreSlim _fenceInstall = new(1, 1);
    private readonly FencingOptions _options;
    private readonly ILogger<NodeLease> _logger;
    private readonly ConcurrentDictionary<string, Action<Exception>?> _held = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _fenceInstalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string[] _fencedTables;
    private Thread? _renewer;
    private volatile bool _lost;
    private volatile bool _taken;

    /// <summary>
    /// Shard lease takes and releases under way at once; the others wait their turn here rather than in Npgsql's
    /// pool, whose 5 s timeout failed them when a node handed off or took over all its shards at once (a leaving
    /// quotes node released about 60 ticker shard leases together and its renewals found no connection).
    /// </summary>
    private const int ShardOperationsAtOnce = 4;

    public NodeLease(string journalConnectionString, string[] fencedTables, FencingOptions options, ILogger<NodeLease> logger)
    {
        Owner = "aq-" + Guid.NewGuid().ToString("N");
        _fencedTables = fencedTables;
        _options = options;
        _logger = logger;
        _connectionString = new NpgsqlConnectionStringBuilder(journalConnectionString)
        {
            ApplicationName = Owner + "-lease",
            Timeout = 5,
            CommandTimeout = 10,
            // A take-over that waits on a frozen node's write gives up after 3 s and is tried again (lease-retry-interval).
            Options = "-c lock_timeout=3000",
            MaxPoolSize = ShardOperationsAtOnce + 2,
        }.ConnectionString;

        // Renewals have a connection of their own (a pool of one under another name), so no burst of shard lease
        // work can leave the node lease without a connection until it runs out.
        _renewalConnectionString = new NpgsqlConnectionStringBuilder(_connectionString)
        {
            ApplicationName = Owner + "-renew",
            MaxPoolSize = 1,
        }.ConnectionString;
    }

    /// <summary>This process's name in the lease tables and on its journal connections (application_name).</summary>
    public string Owner { get; }

    /// <summary>Set once the lease is lost for good (another node deleted it): this process may never write again.</summary>
    public event Action<string>? Lost;

    /// <summary>True once the lease is taken, until it is lost for good.</summary>
    public bool IsHeld => _taken && !_lost;

    /// <summary>How many shard leases this node holds.</summary>
    public int ShardLeases => _held.Count;

    /// <summary>The journal connection string: this node's name, and idle transactions ended by the server.</summary>
    public static string JournalConnectionString(string connectionString, string owner, FencingOptions options) =>
        new NpgsqlConnectionStringBuilder(connectionString)
        {
            ApplicationName = owner,
            Options = $"-c idle_in_transaction_session_timeout={(long)options.IdleTransactionTimeout.TotalMilliseconds}",
        }.ConnectionString;

    /// <summary>Creates the lease tables and the fence function, writes this node's lease and starts renewing it.</summary>
    public async Task StartAsync(string address, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await using var schema = new NpgsqlCommand(FenceSchema.Tables, connection, transaction);
            await schema.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await using var insert = new NpgsqlCommand(
            "INSERT INTO aq_node_lease (owner, address, acquired_at, expires_at) VALUES (@owner, @address, clock_timestamp(), clock_timestamp() + @ttl)",
            connection);
        insert.Parameters.AddWithValue("owner", Owner);
        insert.Parameters.AddWithValue("address", address);
        insert.Parameters.AddWithValue("ttl", _options.NodeLeaseTtl);
        await insert.ExecuteNonQueryAsync(cancellationToken);
        _logger.LogInformation("Node lease {Owner} taken for {Address}; renewed every {Interval}, lasts {Ttl}",
            Owner, address, _options.RenewInterval, _options.NodeLeaseTtl);

        _taken = true;
        _renewer = new Thread(RenewLoop) { IsBackground = true, Name = "aq-node-lease" };
        _renewer.Start();
    }

    /// <summary>
    /// Takes the lease in the background, 0.5 s doubling to 5 s apart while the database does not answer: a
    /// node started while its database is down is live but not ready, and takes its lease once it is back.
    /// </summary>
    public async Task KeepTryingToStartAsync(string address)
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5));
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await StartAsync(address, _stopping.Token);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && !_stopping.IsCancellationRequested)
            {
                _logger.LogWarning("Node lease not taken yet ({Error}); trying again in {Backoff}", e.Message, backoff.Current);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await Task.Delay(backoff.Next(), _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Once the actor system has bound its address: records it, and fences every earlier incarnation that held
    /// the same address. Only one process can hold a host and port, so those are dead (a restart after
    /// kill -9), and their shards need not wait for their leases to run out.
    /// </summary>
    public async Task ClaimAddressAsync(string address)
    {
        await using var connection = await OpenAsync(_stopping.Token);
        await using var transaction = await connection.BeginTransactionAsync(_stopping.Token);
        await using var claim = new NpgsqlCommand(
            "SET LOCAL lock_timeout = '5s'; UPDATE aq_node_lease SET address = @address WHERE owner = @me; DELETE FROM aq_node_lease WHERE address = @address AND owner <> @me",
            connection, transaction);
        claim.Parameters.AddWithValue("address", address);
        claim.Parameters.AddWithValue("me", Owner);
        var fenced = await claim.ExecuteNonQueryAsync(_stopping.Token) - 1;
        await transaction.CommitAsync(_stopping.Token);
        if (fenced > 0)
        {
            _logger.LogInformation("Node lease {Owner} claimed {Address}; {Count} earlier incarnation(s) there fenced", Owner, address, fenced);
        }
    }

    /// <summary>
    /// Takes the shard lease <paramref name="name"/>: true if this node now holds it, false if a live node
    /// holds it (or the fence is not installed yet, or this node's own lease is gone).
    /// </summary>
    public async Task<bool> AcquireAsync(string name, Action<Exception>? lost)
    {
        if (!IsHeld || !await EnsureFenceInstalledAsync())
        {
            return false;
        }

        _held[name] = lost; // before the transaction: a renewal meanwhile must not release it as stale
        try
        {
            if (await TryTakeAsync(name))
            {
                return true;
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            _held.TryRemove(name, out _);
            throw;
        }

        _held.TryRemove(name, out _);
        return false;
    }

    private async Task<bool> TryTakeAsync(string name)
    {
        await _shardOperations.WaitAsync(_stopping.Token);
        try
        {
            return await TakeAsync(name);
        }
        finally
        {
            _shardOperations.Release();
        }
    }

    private async Task<bool> TakeAsync(string name)
    {
        await using var connection = await OpenAsync(_stopping.Token);
        await using var transaction = await connection.BeginTransactionAsync(_stopping.Token);
        try
        {
            // This node's own lease must be live: the shard is taken under it.
            if (await Scalar(connection, transaction,
                    "SELECT 1 FROM aq_node_lease WHERE owner = @me AND expires_at > clock_timestamp() FOR KEY SHARE", ("me", Owner)) is null)
            {
                return false;
            }

            await Execute(connection, transaction,
                "INSERT INTO aq_shard_lease (name, owner, generation, changed_at) VALUES (@name, NULL, 0, clock_timestamp()) ON CONFLICT (name) DO NOTHING",
                ("name", name));
            var owner = await Scalar(connection, transaction, "SELECT owner FROM aq_shard_lease WHERE name = @name FOR UPDATE", ("name", name));
            if (owner is string previous && previous != Owner)
            {
                // Only a lease that has run out may be taken, and taking it ends that node's writes for good.
                if (await Execute(connection, transaction,
                        "DELETE FROM aq_node_lease WHERE owner = @previous AND expires_at <= clock_timestamp()", ("previous", previous)) > 0)
                {
                    _logger.LogWarning("Node lease {Previous} had run out; it is fenced, and its shard {Shard} moves here", previous, name);
                }
                else if (await Scalar(connection, transaction, "SELECT 1 FROM aq_node_lease WHERE owner = @previous", ("previous", previous)) is not null)
                {
                    return false; // its node is alive
                }
            }

            if (owner as string != Owner)
            {
                await Execute(connection, transaction,
                    "UPDATE aq_shard_lease SET owner = @me, generation = generation + 1, changed_at = clock_timestamp() WHERE name = @name",
                    ("me", Owner), ("name", name));
            }

            await transaction.CommitAsync(_stopping.Token);
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            // The previous owner's write is still in flight (a frozen node's open transaction): try again later.
            return false;
        }
    }

    /// <summary>
    /// Gives the shard lease back so the next node takes it at once. True when this node no longer holds it, also
    /// when a renewal had already given it back (renewals release leases no longer held) or it had been taken.
    /// </summary>
    public async Task<bool> ReleaseAsync(string name)
    {
        _held.TryRemove(name, out _);
        if (_lost)
        {
            return false;
        }

        await _shardOperations.WaitAsync();
        try
        {
            await using var connection = await OpenAsync(CancellationToken.None);
            await using var release = new NpgsqlCommand(
                "UPDATE aq_shard_lease SET owner = NULL, changed_at = clock_timestamp() WHERE name = @name AND owner = @me", connection);
            release.Parameters.AddWithValue("name", name);
            release.Parameters.AddWithValue("me", Owner);
            await release.ExecuteNonQueryAsync();
            return true;
        }
        finally
        {
            _shardOperations.Release();
        }
    }

    /// <summary>Whether this node certainly holds the shard lease.</summary>
    public bool Holds(string name) => IsHeld && _held.ContainsKey(name);

    /// <summary>
    /// After the actor system has ended (nothing of this node writes any more): deletes this node's lease so
    /// its shards move at once instead of when the lease runs out.
    /// </summary>
    public async Task ReleaseNodeAsync()
    {
        await _stopping.CancelAsync();
        if (!IsHeld)
        {
            return;
        }

        try
        {
            await using var connection = await OpenAsync(CancellationToken.None);
            await using var release = new NpgsqlCommand(
                "UPDATE aq_shard_lease SET owner = NULL, changed_at = clock_timestamp() WHERE owner = @me; DELETE FROM aq_node_lease WHERE owner = @me",
                connection);
            release.Parameters.AddWithValue("me", Owner);
            await release.ExecuteNonQueryAsync();
            _logger.LogInformation("Node lease {Owner} released", Owner);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            _logger.LogWarning(e, "Node lease {Owner} could not be released; it runs out in {Ttl}", Owner, _options.NodeLeaseTtl);
        }
    }

    private async Task<bool> EnsureFenceInstalledAsync()
    {
        if (_fenceInstalled.Task.IsCompleted)
        {
            return true;
        }

        // One installer at a time: every shard's first lease take arrives here at once when a node starts.
        await _fenceInstall.WaitAsync(_stopping.Token);
        try
        {
            return _fenceInstalled.Task.IsCompleted || await InstallFenceAsync();
        }
        finally
        {
            _fenceInstall.Release();
        }
    }

    private async Task<bool> InstallFenceAsync()
    {
        // The journal creates its tables when it first starts: until then there is nothing to fence, and no shard starts.
        await using var connection = await OpenAsync(_stopping.Token);
        foreach (var table in _fencedTables)
        {
            await using var transaction = await connection.BeginTransactionAsync(_stopping.Token);
            await using var install = new NpgsqlCommand(FenceSchema.TriggerOn(table), connection, transaction);
            var exists = await install.ExecuteScalarAsync(_stopping.Token) is true;
            await transaction.CommitAsync(_stopping.Token);
            if (!exists)
            {
                _logger.LogInformation("Fence: table {Table} does not exist yet; shards wait for it", table);
                return false;
            }
        }

        _logger.LogInformation("Fence installed on {Tables}", string.Join(", ", _fencedTables));
        _fenceInstalled.TrySetResult();
        return true;
    }

    private void RenewLoop()
    {
        var lastRenewed = Stopwatch.GetTimestamp();
        while (!_stopping.IsCancellationRequested)
        {
            if (_stopping.Token.WaitHandle.WaitOne(_options.RenewInterval))
            {
                return;
            }

            try
            {
                if (!Renew())
                {
                    LoseForGood("another node took over this node's lease (it had run out)");
                    return;
                }

                lastRenewed = Stopwatch.GetTimestamp();
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // Not lost while nobody has taken it: the database is out of reach, and so it is for writes.
                var since = Stopwatch.GetElapsedTime(lastRenewed);
                var level = since > _options.NodeLeaseTtl ? LogLevel.Warning : LogLevel.Debug;
                _logger.Log(level, e, "Node lease {Owner} not renewed for {Seconds:F1} s", Owner, since.TotalSeconds);
            }
        }
    }

    /// <summary>
    /// One renewal: extends this node's lease (false if it is gone), then gives back shard leases it no longer holds.
    /// The extension commits on its own, and the give-back skips rows another transaction has locked (a take-over
    /// in progress, a release waiting its turn): nothing the shard leases do can hold a renewal back.
    /// </summary>
    private bool Renew()
    {
        using var connection = new NpgsqlConnection(_renewalConnectionString);
        connection.Open();
        using (var renew = new NpgsqlCommand("UPDATE aq_node_lease SET expires_at = clock_timestamp() + @ttl WHERE owner = @me", connection))
        {
            renew.Parameters.AddWithValue("ttl", _options.NodeLeaseTtl);
            renew.Parameters.AddWithValue("me", Owner);
            if (renew.ExecuteNonQuery() == 0)
            {
                return false;
            }
        }

        // A release that failed (the database blinked) would keep a shard here forever: held is the truth.
        try
        {
            using var stale = new NpgsqlCommand(
                """
                UPDATE aq_shard_lease SET owner = NULL, changed_at = clock_timestamp()
                WHERE name IN (SELECT name FROM aq_shard_lease WHERE owner = @me AND NOT (name = ANY(@held)) FOR UPDATE SKIP LOCKED)
                """,
                connection);
            stale.Parameters.AddWithValue("me", Owner);
            stale.Parameters.AddWithValue("held", _held.Keys.ToArray());
            stale.ExecuteNonQuery();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            _logger.LogDebug(e, "Node lease {Owner}: shard leases no longer held were not given back this time", Owner);
        }

        return true;
    }

    private void LoseForGood(string reason)
    {
        _lost = true;
        _logger.LogError("Node lease {Owner} lost: {Reason}", Owner, reason);
        var exception = new InvalidOperationException("node lease lost: " + reason);
        foreach (var callback in _held.Values)
        {
            callback?.Invoke(exception);
        }

        Lost?.Invoke(reason);
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private async Task<int> Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(_stopping.Token);
    }

    private async Task<object?> Scalar(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteScalarAsync(_stopping.Token);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    /// <summary>Stops renewing (the token source stays: the renewal thread may still be looking at it).</summary>
    public void Dispose() => _stopping.Cancel();
}
