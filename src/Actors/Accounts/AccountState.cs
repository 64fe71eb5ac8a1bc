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
        WatchlistLinked l => this with
        {
            WatchlistIds = WatchlistIds.Contains(l.WatchlistId) ? WatchlistIds : WatchlistIds.Add(l.WatchlistId),
            IdempotencyKeys = l.IdempotencyKey is null ? IdempotencyKeys : IdempotencyKeys.SetItem(l.IdempotencyKey, l.WatchlistId),
        },
        WatchlistUnlinked u => this with
        {
            WatchlistIds = WatchlistIds.Remove(u.WatchlistId),
            IdempotencyKeys = IdempotencyKeys.RemoveRange(IdempotencyKeys.Where(kv => kv.Value == u.WatchlistId).Select(kv => kv.Key)),
        },
        // Revocations of tokens that have expired anyway are dropped, so the set stays small.
        TokenRevoked t => this with
        {
            RevokedTokens = RevokedTokens
                .RemoveRange(RevokedTokens.Where(kv => kv.Value <= t.At).Select(kv => kv.Key))
                .SetItem(t.TokenId, t.ExpiresAt),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "Unknown account event."),
    };

    public AccountCredentials Credentials() => new(UserId, Username, PasswordHash, RegistrationKey);

    public AccountSnapshot ToSnapshot() =>
        new(Username, UserId, PasswordHash, RegistrationKey, WatchlistIds, IdempotencyKeys, RevokedTokens, Registered);

    public static AccountState FromSnapshot(AccountSnapshot s) => new(
        s.Username,
        s.UserId,
        s.PasswordHash,
        s.RegistrationKey,
        s.WatchlistIds,
        s.IdempotencyKeys.WithComparers(StringComparer.Ordinal),
        s.RevokedTokens.WithComparers(StringComparer.Ordinal),
        s.Registered);

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
