using ActorQuotes.Actors.Accounts;
using ActorQuotes.Actors.Observability;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Accounts;
using ActorQuotes.Gateway.Problems;
using ActorQuotes.Gateway.Streaming;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Auth;

/// <summary>
/// This node's list of logged-out tokens, checked by every authenticated request and stream with no remote
/// hop (docs/architecture.md, "Logout"). A logout is recorded in <see cref="RevocationStore"/> first (that
/// is what its 204 promises), then added here and published on <see cref="Topics.Revocations"/>, so every
/// node adds it and closes that token's sockets within milliseconds. At start the node reads every unexpired
/// revocation from the store before it accepts a token or reports ready, and every
/// <see cref="AuthOptions.RevocationPollInterval"/> it reads what was recorded since, which catches a notice
/// that pub-sub did not deliver (a node cut off for a moment, one that joined while the logout was published).
/// </summary>
public sealed class TokenRevocations(
    RevocationStore store,
    LiveSessions sessions,
    IServiceProvider services,
    IOptions<AuthOptions> options,
    TimeProvider clock,
    ILogger<TokenRevocations> logger) : BackgroundService
{
    /// <summary>How far back each poll reads before the newest revocation it has seen: room for commits that
    /// land out of order and for clocks that differ between nodes.</summary>
    public static readonly TimeSpan PollOverlap = TimeSpan.FromMinutes(1);

    /// <summary>How often a node deletes the rows of expired tokens from the store.</summary>
    public static readonly TimeSpan DeleteExpiredEvery = TimeSpan.FromMinutes(10);

    private readonly TaskCompletionSource<TimeSpan> _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _write = new();
    private volatile RevokedTokenSet _set = RevokedTokenSet.Empty;
    private ActorSystem? _system;
    private IActorRef? _mediator;
    private DateTimeOffset _watermark = DateTimeOffset.MinValue;

    /// <summary>How long the first read of the store took, once it has completed; until then no token is accepted.</summary>
    public TimeSpan? LoadedAfter => _loaded.Task.IsCompletedSuccessfully ? _loaded.Task.Result : null;

    /// <summary>Unexpired revoked tokens this node knows.</summary>
    public int Count => _set.Count;

    /// <summary>
    /// Whether the token was logged out. Throws <see cref="ServiceUnavailableException"/> (503, or close 1013 for a
    /// stream) until the node has read the stored revocations: before that it cannot tell.
    /// </summary>
    public bool IsRevoked(string tokenId) => LoadedAfter is null
        ? throw new ServiceUnavailableException("this node has not loaded the logged-out tokens yet; try again")
        : _set.IsRevoked(tokenId);

    /// <summary>
    /// Logs a token out: durable in the store when this returns, then known on this node and published to the
    /// others. Needs no entity. Throws <see cref="ServiceUnavailableException"/> when the store cannot be written.
    /// </summary>
    public async Task RevokeAsync(string username, string tokenId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        try
        {
            await store.RecordAsync(new StoredRevocation(tokenId, username, expiresAt, clock.GetUtcNow()), cancellationToken);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
        {
            logger.LogWarning("A logout could not be recorded: {Error}", e.GetType().Name);
            throw new ServiceUnavailableException("the logout could not be recorded; try again");
        }

        var notice = new TokenRevokedNotice(username, tokenId) { ExpiresAt = expiresAt };
        Learn(notice);
        if (_mediator is { } mediator && _system is { } system)
        {
            mediator.Tell(new Publish(Topics.Revocations, notice));
            NodeMetrics.Get(system).Published("account");
        }
    }

    /// <summary>
    /// A stream just registered its session: if its token was revoked in between its check and the registration,
    /// the session is told now (the list is updated before it looks for sessions, so one of the two sees the other).
    /// </summary>
    public void RecheckSession(string username, string tokenId, IActorRef session)
    {
        if (_set.IsRevoked(tokenId))
        {
            session.Tell(new TokenRevokedNotice(username, tokenId));
        }
    }

    /// <summary>Adds a revocation (from this node, pub-sub or the store) and closes that token's sockets here.</summary>
    internal void Learn(TokenRevokedNotice notice)
    {
        var now = clock.GetUtcNow();
        // A notice from an older node carries no expiry: keep it for a whole token lifetime.
        var expiresAt = notice.ExpiresAt ?? now + options.Value.TokenLifetime;
        lock (_write)
        {
            var next = _set.Add(notice.TokenId, expiresAt, now);
            if (ReferenceEquals(next, _set))
            {
                return;
            }

            _set = next;
        }

        foreach (var session in sessions.WithToken(notice.TokenId))
        {
            session.Session.Tell(notice);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = clock.GetTimestamp();
        // Resolved here, not in the constructor: hosted services are built before the actor system has started.
        var system = services.GetRequiredService<ActorSystem>();
        _mediator = DistributedPubSub.Get(system).Mediator;
        _system = system;
        system.ActorOf(RevocationSubscriber.Props(_mediator, Learn, () => _subscribed.TrySetResult()), "token-revocations");

        // Subscribed before the first read: a logout recorded after the read reaches this node by pub-sub.
        try
        {
            await _subscribed.Task.WaitAsync(TimeSpan.FromSeconds(10), clock, stoppingToken);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("The revocation topic's subscription was not acknowledged in 10 s; reading the store anyway (polls catch up)");
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        while (!stoppingToken.IsCancellationRequested && LoadedAfter is null)
        {
            try
            {
                await store.EnsureCreatedAsync(stoppingToken);
                var count = await ReadAsync(DateTimeOffset.MinValue, stoppingToken);
                var elapsed = clock.GetElapsedTime(started);
                _loaded.TrySetResult(elapsed);
                logger.LogInformation("Token revocations loaded: {Count} unexpired, after {Milliseconds} ms", count, (long)elapsed.TotalMilliseconds);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                var delay = backoff.Next();
                logger.LogWarning("Token revocations could not be read yet ({Error}); trying again in {Backoff}", e.GetType().Name, delay);
                if (!await DelayAsync(delay, stoppingToken))
                {
                    return;
                }
            }
        }

        var lastDelete = clock.GetUtcNow() - DeleteExpiredEvery;
        while (await DelayAsync(options.Value.RevocationPollInterval, stoppingToken))
        {
            try
            {
                await ReadAsync(_watermark == DateTimeOffset.MinValue ? _watermark : _watermark - PollOverlap, stoppingToken);
                var now = clock.GetUtcNow();
                lock (_write)
                {
                    _set = _set.Prune(now);
                }

                if (now - lastDelete >= DeleteExpiredEvery)
                {
                    lastDelete = now;
                    // A minute's grace, so a node whose clock runs behind still reads a row until its token expired there.
                    await store.DeleteExpiredAsync(now - PollOverlap, stoppingToken);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever went wrong, the node keeps the list it has; a loop that ended here would stop the host.
                logger.LogWarning("Polling the token revocations failed ({Error}); the next poll tries again", e.GetType().Name);
            }
        }
    }

    /// <summary>Reads the store from <paramref name="since"/> into the list; how many unexpired rows it read.</summary>
    private async Task<int> ReadAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var rows = await store.ReadAsync(since, clock.GetUtcNow(), cancellationToken);
        foreach (var row in rows)
        {
            Learn(new TokenRevokedNotice(row.Username, row.TokenId) { ExpiresAt = row.ExpiresAt });
            if (row.RevokedAt > _watermark)
            {
                _watermark = row.RevokedAt;
            }
        }

        return rows.Count;
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, clock, stoppingToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>Ready only once this node has read the stored logouts: before that it refuses every token with 503.</summary>
internal sealed class RevocationsLoadedCheck(TokenRevocations revocations) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(revocations.LoadedAfter is { } loaded
            ? HealthCheckResult.Healthy($"{revocations.Count} logged-out tokens known; loaded after {(long)loaded.TotalMilliseconds} ms")
            : HealthCheckResult.Unhealthy("the logged-out tokens have not been read from the database yet"));
}

/// <summary>Registers the node's revocation list, its store and its background reader.</summary>
public static class TokenRevocationsSetup
{
    public static IServiceCollection AddTokenRevocations(this IServiceCollection services)
    {
        services.AddSingleton<RevocationStore>();
        services.AddSingleton<TokenRevocations>();
        services.AddHostedService(provider => provider.GetRequiredService<TokenRevocations>());
        return services;
    }
}
