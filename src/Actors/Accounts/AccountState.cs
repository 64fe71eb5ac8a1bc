using System.Collections.Immutable;
using ActorQuotes.Contracts.Accounts;

namespace ActorQuotes.Actors.Accounts;

/// <summary>An account: identity, password hash, owned watchlists, revoked tokens. Pure apply.</summary>
public sealed record AccountState(
    string Username,
    long UserId,
    string PasswordHash,
    string? RegistrationKey,
    ImmutableList<long> WatchlistIds,
    ImmutableDictionary<string, long> IdempotencyKeys,
    ImmutableDictionary<string, DateTimeOffset> RevokedTokens,
    bool Registered)
{
    /// <summary>Most watchlists one user may own.</summary>
    public const int MaxWatchlists = 50;

    /// <summary>
    /// Logout Idempotency-Keys and the token id each revoked. Bounded like <see cref="RevokedTokens"/>: a key
    /// is dropped with its revocation once the token has expired (it could not be used again anyway).
    /// </summary>
    public ImmutableDictionary<string, string> LogoutKeys { get; init; } =
        ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>
    /// When each linked watchlist was linked (<see cref="WatchlistLinked.At"/>), so a link whose create never
    /// finished can be told from one whose create may still be in flight (<see cref="LinkedBefore"/>).
    /// </summary>
    public ImmutableDictionary<long, DateTimeOffset> LinkedAt { get; init; } = ImmutableDictionary<long, DateTimeOffset>.Empty;

    /// <summary>The login lockout; journaled for a registered account (<see cref="DecideLoginResult"/>).</summary>
    public LoginThrottle Login { get; init; } = LoginThrottle.Free;

    public static AccountState Empty(string username) => new(
        username,
        0,
        string.Empty,
        null,
        ImmutableList<long>.Empty,
        ImmutableDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<string, DateTimeOffset>.Empty.WithComparers(StringComparer.Ordinal),
        false);

    public AccountState Apply(IAccountEvent e) => e switch
    {
        AccountRegistered r => this with
        {
            UserId = r.UserId,
            Username = r.Username,
            PasswordHash = r.PasswordHash,
            RegistrationKey = r.RegistrationKey,
            Registered = true,
        },
        WatchlistLinked l => WatchlistIds.Contains(l.WatchlistId)
            ? this with { IdempotencyKeys = l.IdempotencyKey is null ? IdempotencyKeys : IdempotencyKeys.SetItem(l.IdempotencyKey, l.WatchlistId) }
            : this with
            {
                WatchlistIds = WatchlistIds.Add(l.WatchlistId),
                LinkedAt = LinkedAt.SetItem(l.WatchlistId, l.At),
                IdempotencyKeys = l.IdempotencyKey is null ? IdempotencyKeys : IdempotencyKeys.SetItem(l.IdempotencyKey, l.WatchlistId),
            },
        WatchlistUnlinked u => this with
        {
            WatchlistIds = WatchlistIds.Remove(u.WatchlistId),
            LinkedAt = LinkedAt.Remove(u.WatchlistId),
            IdempotencyKeys = IdempotencyKeys.RemoveRange(IdempotencyKeys.Where(kv => kv.Value == u.WatchlistId).Select(kv => kv.Key)),
        },
        // Revocations of tokens that have expired anyway are dropped, so the set stays small.
        TokenRevoked t => ApplyRevoked(t),
        LoginFailed f => this with { Login = Login.Failed(f.At) },
        LoginFailuresCleared => this with { Login = LoginThrottle.Free },
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "Unknown account event."),
    };

    /// <summary>
    /// A logout: the event to journal, or the answer when there is nothing to journal. A key seen before
    /// answers as the first time (or is refused if it came with another token); a token already revoked by
    /// another request is refused as revoked, exactly as a request with it would be.
    /// </summary>
    public (TokenRevoked? Event, object? Reply) DecideRevoke(RevokeToken command, DateTimeOffset now)
    {
        if (!Registered)
        {
            return (null, NotFound());
        }

        if (command.IdempotencyKey is { } key && LogoutKeys.TryGetValue(key, out var revokedByKey))
        {
            return revokedByKey == command.TokenId
                ? (null, new TokenRevocationRecorded(Username, command.TokenId))
                : (null, new AccountCommandRejected(Username, AccountRejection.IdempotencyKeyReused,
                    "this Idempotency-Key was used for a different request"));
        }

        if (RevokedTokens.ContainsKey(command.TokenId))
        {
            return command.IdempotencyKey is null
                ? (null, new TokenRevocationRecorded(Username, command.TokenId))
                : (null, new AccountCommandRejected(Username, AccountRejection.TokenRevoked, "token was revoked"));
        }

        return (new TokenRevoked(command.TokenId, command.ExpiresAt, now) { IdempotencyKey = command.IdempotencyKey }, null);
    }

    /// <summary>
    /// The event that records a login's result, or null when nothing changes: every failure of a registered
    /// account is journaled (at most five, then one per lock period, as the throttle admits them), a success
    /// only when it clears earlier failures. Unknown usernames journal nothing (an attacker could drive writes
    /// by inventing names); the actor throttles them in memory.
    /// </summary>
    public IAccountEvent? DecideLoginResult(bool succeeded, DateTimeOffset now) =>
        !Registered ? null
        : !succeeded ? new LoginFailed(now)
        : Login.Failures > 0 ? new LoginFailuresCleared(now)
        : null;

    // Revocations of tokens that have expired anyway are dropped, so the set stays small; their keys go with them.
    private AccountState ApplyRevoked(TokenRevoked t)
    {
        var expired = RevokedTokens.Where(kv => kv.Value <= t.At).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
        var keys = LogoutKeys.RemoveRange(LogoutKeys.Where(kv => expired.Contains(kv.Value)).Select(kv => kv.Key));
        return this with
        {
            RevokedTokens = RevokedTokens.RemoveRange(expired).SetItem(t.TokenId, t.ExpiresAt),
            LogoutKeys = t.IdempotencyKey is { } key ? keys.SetItem(key, t.TokenId) : keys,
        };
    }

    /// <summary>
    /// The linked ids whose link was journaled at or before <paramref name="cutoff"/>, in link order: the ones
    /// whose create can no longer be in flight. A link from a snapshot older than link times has none and
    /// counts as old; the watchlist's tombstone (<see cref="Contracts.Watchlists.AbandonWatchlist"/>) keeps
    /// even a misjudged one from losing a watchlist.
    /// </summary>
    public ImmutableList<long> LinkedBefore(DateTimeOffset cutoff) =>
        WatchlistIds.Where(id => !LinkedAt.TryGetValue(id, out var at) || at <= cutoff).ToImmutableList();

    /// <summary>The unlinks that release <paramref name="watchlistIds"/>: one per id still linked, none for an unknown account.</summary>
    public ImmutableArray<IAccountEvent> DecideRelease(IEnumerable<long> watchlistIds, DateTimeOffset now) =>
        !Registered ? []
        : [.. watchlistIds.Distinct().Where(WatchlistIds.Contains).Select(id => (IAccountEvent)new WatchlistUnlinked(id, now))];

    public AccountCredentials Credentials() => new(UserId, Username, PasswordHash, RegistrationKey);

    public AccountSnapshot ToSnapshot() =>
        new(Username, UserId, PasswordHash, RegistrationKey, WatchlistIds, IdempotencyKeys, RevokedTokens, Registered)
        {
            LogoutKeys = LogoutKeys,
            LoginFailures = Login.Failures,
            LoginLockedUntil = Login.Failures > 0 ? Login.LockedUntil : null,
            LinkedAt = LinkedAt,
        };

    public static AccountState FromSnapshot(AccountSnapshot s) => new(
        s.Username,
        s.UserId,
        s.PasswordHash,
        s.RegistrationKey,
        s.WatchlistIds,
        s.IdempotencyKeys.WithComparers(StringComparer.Ordinal),
        s.RevokedTokens.WithComparers(StringComparer.Ordinal),
        s.Registered)
    {
        // Snapshots from before logout keys have none.
        LogoutKeys = (s.LogoutKeys ?? ImmutableDictionary<string, string>.Empty).WithComparers(StringComparer.Ordinal),
        Login = new LoginThrottle(s.LoginFailures, s.LoginLockedUntil ?? DateTimeOffset.MinValue),
        LinkedAt = s.LinkedAt ?? ImmutableDictionary<long, DateTimeOffset>.Empty, // snapshots from before link times
    };

    /// <summary>What a read answers from this state with no journal involved, or null for a write.</summary>
    public object? Read(IAccountRequest request) => request switch
    {
        _ when !Registered && request is GetAccountCredentials or GetAccountWatchlists or CheckToken => NotFound(),
        GetAccountCredentials => Credentials(),
        GetAccountWatchlists => new AccountWatchlists(Username, WatchlistIds),
        CheckToken check => RevokedTokens.ContainsKey(check.TokenId)
            ? new AccountCommandRejected(Username, AccountRejection.TokenRevoked, "token was revoked")
            : new AccountView(UserId, Username),
        _ => null,
    };

    public AccountCommandRejected NotFound() => new(Username, AccountRejection.NotFound, "account not found");
}
