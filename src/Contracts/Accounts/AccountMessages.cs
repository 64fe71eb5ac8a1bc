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
}

/// <summary>
/// Gateway → account: create it with a password hash computed by the gateway (the KDF is slow and runs
/// off the actor). Replies <see cref="AccountView"/> or <see cref="AccountCommandRejected"/>.
/// </summary>
[SerializationManifest("aq.acct.register")]
public sealed record RegisterAccount(string Username, long UserId, string PasswordHash) : IAccountRequest;

/// <summary>Gateway → account: the stored hash, to verify a login. Replies <see cref="AccountCredentials"/>.</summary>
[SerializationManifest("aq.acct.get-credentials")]
public sealed record GetAccountCredentials(string Username) : IAccountRequest;

/// <summary>
/// Gateway → account: record a watchlist as owned, before the watchlist itself is created, so no
/// watchlist can exist that its owner cannot list. Replies <see cref="AccountWatchlists"/>.
/// </summary>
[SerializationManifest("aq.acct.link-watchlist")]
public sealed record LinkWatchlist(string Username, long WatchlistId) : IAccountRequest;

/// <summary>Gateway → account: forget a deleted watchlist. Replies <see cref="AccountWatchlists"/>.</summary>
[SerializationManifest("aq.acct.unlink-watchlist")]
public sealed record UnlinkWatchlist(string Username, long WatchlistId) : IAccountRequest;

/// <summary>Gateway → account: the watchlist ids it owns. Replies <see cref="AccountWatchlists"/>.</summary>
[SerializationManifest("aq.acct.get-watchlists")]
public sealed record GetAccountWatchlists(string Username) : IAccountRequest;

[SerializationManifest("aq.acct.view")]
public sealed record AccountView(long UserId, string Username) : IActorQuotesMessage;

[SerializationManifest("aq.acct.credentials")]
public sealed record AccountCredentials(long UserId, string Username, string PasswordHash) : IActorQuotesMessage;

[SerializationManifest("aq.acct.watchlists")]
public sealed record AccountWatchlists(string Username, ImmutableList<long> WatchlistIds) : IActorQuotesMessage;

[SerializationManifest("aq.acct.rejected")]
public sealed record AccountCommandRejected(string Username, AccountRejection Code, string Reason) : IActorQuotesMessage;

/// <summary>An event in an account's journal.</summary>
public interface IAccountEvent : IActorQuotesMessage
{
    DateTimeOffset At { get; }
}

[SerializationManifest("aq.acct.ev.registered")]
public sealed record AccountRegistered(long UserId, string Username, string PasswordHash, DateTimeOffset At)
    : IAccountEvent;

[SerializationManifest("aq.acct.ev.watchlist-linked")]
public sealed record WatchlistLinked(long WatchlistId, DateTimeOffset At) : IAccountEvent;

[SerializationManifest("aq.acct.ev.watchlist-unlinked")]
public sealed record WatchlistUnlinked(long WatchlistId, DateTimeOffset At) : IAccountEvent;
