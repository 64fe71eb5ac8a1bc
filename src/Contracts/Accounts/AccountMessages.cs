using System.Collections.Immutable;
using ActorQuotes.Contracts.Routing;
using ActorQuotes.Contracts.Serialization;

namespace ActorQuotes.Contracts.Accounts;

/// <summary>A command or query for one account entity, keyed by normalized username.</summary>
public interface IAccountRequest : IWithUsername, IActorQuotesMessage;

public enum AccountRejection
{
    NotFound,
    AlreadyExists,
    LimitReached,

    /// <summary>The token was revoked by a logout.</summary>
    TokenRevoked,

    /// <summary>The journal cannot be written or read right now; nothing was changed. Retry later.</summary>
    Unavailable,

    /// <summary>
    /// The journal write failed: Akka cannot say whether the event was stored, so the change may or may not
    /// have happened. Retry with the same Idempotency-Key.
    /// </summary>
    OutcomeUnknown,

    /// <summary>The Idempotency-Key was already used on this account for a different request.</summary>
    IdempotencyKeyReused,
}

/// <summary>
/// Gateway → account: create it with a password hash computed by the gateway (the KDF is slow and runs
/// off the actor). Replies <see cref="AccountView"/> or <see cref="AccountCommandRejected"/>.
/// </summary>
[SerializationManifest("aq.acct.register")]
public sealed record RegisterAccount(string Username, long UserId, string PasswordHash, string? IdempotencyKey = null)
    : IAccountRequest;

/// <summary>Gateway → account: the stored hash. Replies <see cref="AccountCredentials"/> or NotFound.</summary>
[SerializationManifest("aq.acct.get-credentials")]
public sealed record GetAccountCredentials(string Username) : IAccountRequest;

/// <summary>
/// Gateway → account: a login is about to be checked. Replies <see cref="AccountCredentials"/>,
/// <see cref="LoginLockedOut"/> after repeated failures, or NotFound.
/// </summary>
[SerializationManifest("aq.acct.begin-login")]
public sealed record BeginLogin(string Username) : IAccountRequest;

/// <summary>Gateway → account: how the login went, so repeated failures slow the next ones. No reply.</summary>
[SerializationManifest("aq.acct.login-result")]
public sealed record RecordLoginResult(string Username, bool Succeeded) : IAccountRequest;

/// <summary>Reply to <see cref="BeginLogin"/>: too many failures; try again after <paramref name="Until"/>.</summary>
[SerializationManifest("aq.acct.locked-out")]
public sealed record LoginLockedOut(string Username, DateTimeOffset Until) : IActorQuotesMessage;

/// <summary>Gateway → account: is this token (by id) still good? Replies <see cref="AccountView"/> or TokenRevoked/NotFound.</summary>
[SerializationManifest("aq.acct.check-token")]
public sealed record CheckToken(string Username, string TokenId) : IAccountRequest;

/// <summary>
/// Gateway → account: log out, revoking one token everywhere. Replies <see cref="TokenRevocationRecorded"/>,
/// or TokenRevoked when the token was already revoked by another request than this key's.
/// </summary>
[SerializationManifest("aq.acct.revoke-token")]
public sealed record RevokeToken(string Username, string TokenId, DateTimeOffset ExpiresAt) : IAccountRequest, IKeyedWrite
{
    /// <inheritdoc />
    public string? IdempotencyKey { get; init; }
}

[SerializationManifest("aq.acct.token-revocation-recorded")]
public sealed record TokenRevocationRecorded(string Username, string TokenId) : IActorQuotesMessage;

/// <summary>
/// A logout: the gateway that recorded it → <c>Topics.Revocations</c>, so every node adds the token to its
/// revocation list and closes that token's open sockets (4401); also a node's list → its own sessions. No reply.
/// </summary>
[SerializationManifest("aq.acct.token-revoked-notice")]
public sealed record TokenRevokedNotice(string Username, string TokenId) : IActorQuotesMessage
{
    /// <summary>When the revoked token expires, so a list can forget it then (absent in old payloads).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>
/// Gateway → account: record a watchlist as owned, before the watchlist itself is created, so no
/// watchlist can exist that its owner cannot list.
/// A retry carrying the same <paramref name="IdempotencyKey"/> gets the id linked the first time.
/// Replies <see cref="WatchlistLinkResult"/>.
/// </summary>
[SerializationManifest("aq.acct.link-watchlist")]
public sealed record LinkWatchlist(string Username, long WatchlistId, string? IdempotencyKey = null) : IAccountRequest;

/// <summary>Reply to <see cref="LinkWatchlist"/>: the id to create (an earlier one for a retried key).</summary>
[SerializationManifest("aq.acct.link-result")]
public sealed record WatchlistLinkResult(string Username, long WatchlistId, bool Retried) : IActorQuotesMessage;

/// <summary>Gateway → account: forget a deleted watchlist. Replies <see cref="AccountWatchlists"/>.</summary>
[SerializationManifest("aq.acct.unlink-watchlist")]
public sealed record UnlinkWatchlist(string Username, long WatchlistId) : IAccountRequest;

/// <summary>
/// Gateway → account, when a create finds the owner at the limit: the linked ids whose link is at least
/// <paramref name="MinAge"/> old by the account's clock, the candidates for <c>AbandonWatchlist</c>.
/// Replies <see cref="AccountWatchlists"/> holding only those ids (docs/architecture.md, "Creates that never finished").
/// </summary>
[SerializationManifest("aq.acct.get-stale-links")]
public sealed record GetStaleWatchlistLinks(string Username, TimeSpan MinAge) : IAccountRequest;

/// <summary>
/// Gateway → account: forget these links at once, each a watchlist that is not the owner's and never will be
/// (each answered <c>AbandonWatchlist</c> with <c>WatchlistAbandonedReply</c>). One journal write for all;
/// ids not linked are skipped. Replies <see cref="AccountWatchlists"/>.
/// </summary>
[SerializationManifest("aq.acct.release-links")]
public sealed record ReleaseWatchlistLinks(string Username, ImmutableList<long> WatchlistIds) : IAccountRequest;

/// <summary>Gateway → account: the watchlist ids it owns. Replies <see cref="AccountWatchlists"/>.</summary>
[SerializationManifest("aq.acct.get-watchlists")]
public sealed record GetAccountWatchlists(string Username) : IAccountRequest;

[SerializationManifest("aq.acct.view")]
public sealed record AccountView(long UserId, string Username) : IActorQuotesMessage;

[SerializationManifest("aq.acct.credentials")]
public sealed record AccountCredentials(long UserId, string Username, string PasswordHash, string? RegistrationKey = null)
    : IActorQuotesMessage;

[SerializationManifest("aq.acct.watchlists")]
public sealed record AccountWatchlists(string Username, ImmutableList<long> WatchlistIds) : IActorQuotesMessage;

[SerializationManifest("aq.acct.rejected")]
public sealed record AccountCommandRejected(string Username, AccountRejection Code, string Reason) : IActorQuotesMessage;

/// <summary>An event in an account's journal; see <see cref="Watchlists.IWatchlistEvent"/> for the versioning rule.</summary>
public interface IAccountEvent : IActorQuotesMessage
{
    DateTimeOffset At { get; }

    int SchemaVersion { get; }
}

[SerializationManifest("aq.acct.ev.registered")]
public sealed record AccountRegistered(long UserId, string Username, string PasswordHash, DateTimeOffset At)
    : IAccountEvent
{
    public int SchemaVersion { get; init; } = 1;

    /// <summary>The Idempotency-Key of the registration, if it had one (added after v1; absent in old payloads).</summary>
    public string? RegistrationKey { get; init; }
}

[SerializationManifest("aq.acct.ev.watchlist-linked")]
public sealed record WatchlistLinked(long WatchlistId, DateTimeOffset At) : IAccountEvent
{
    public int SchemaVersion { get; init; } = 1;

    /// <summary>The Idempotency-Key of the create request, if it had one (absent in old payloads).</summary>
    public string? IdempotencyKey { get; init; }
}

[SerializationManifest("aq.acct.ev.watchlist-unlinked")]
public sealed record WatchlistUnlinked(long WatchlistId, DateTimeOffset At) : IAccountEvent
{
    public int SchemaVersion { get; init; } = 1;
}

[SerializationManifest("aq.acct.ev.token-revoked")]
public sealed record TokenRevoked(string TokenId, DateTimeOffset ExpiresAt, DateTimeOffset At) : IAccountEvent
{
    public int SchemaVersion { get; init; } = 1;

    /// <summary>The Idempotency-Key of the logout, if it had one (absent in old payloads).</summary>
    public string? IdempotencyKey { get; init; }
}

/// <summary>A password check failed for this registered account (counted toward the login lockout).</summary>
[SerializationManifest("aq.acct.ev.login-failed")]
public sealed record LoginFailed(DateTimeOffset At) : IAccountEvent
{
    public int SchemaVersion { get; init; } = 1;
}

/// <summary>A login succeeded after failures: the lockout count starts again.</summary>
[SerializationManifest("aq.acct.ev.login-failures-cleared")]
public sealed record LoginFailuresCleared(DateTimeOffset At) : IAccountEvent
{
    public int SchemaVersion { get; init; } = 1;
}

/// <summary>Snapshot of an account, taken every <c>AccountActor.SnapshotEvery</c> events.</summary>
[SerializationManifest("aq.acct.snapshot")]
public sealed record AccountSnapshot(
    string Username,
    long UserId,
    string PasswordHash,
    string? RegistrationKey,
    ImmutableList<long> WatchlistIds,
    ImmutableDictionary<string, long> IdempotencyKeys,
    ImmutableDictionary<string, DateTimeOffset> RevokedTokens,
    bool Registered) : IActorQuotesMessage
{
    /// <summary>Logout Idempotency-Keys and the token id each revoked (added later; null in old snapshots).</summary>
    public ImmutableDictionary<string, string>? LogoutKeys { get; init; }

    /// <summary>Failed logins in a row (added later; absent in old snapshots).</summary>
    public int LoginFailures { get; init; }

    /// <summary>Until when logins are locked (added later; absent in old snapshots).</summary>
    public DateTimeOffset? LoginLockedUntil { get; init; }

    /// <summary>When each watchlist was linked (added later; null in old snapshots).</summary>
    public ImmutableDictionary<long, DateTimeOffset>? LinkedAt { get; init; }
}
