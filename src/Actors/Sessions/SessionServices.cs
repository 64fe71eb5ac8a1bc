using ActorQuotes.Actors.Catalog;
using Akka.Actor;

namespace ActorQuotes.Actors.Sessions;

/// <summary>
/// What every session on a node shares: the watchlist region, the mediator (account and watchlist topics),
/// the node's <see cref="QuoteHubActor"/> (quotes), catalog, settings, clock.
/// </summary>
public sealed record SessionServices(
    IActorRef Watchlists,
    IActorRef Mediator,
    IActorRef QuoteHub,
    CompanyCatalog Catalog,
    StreamingOptions Options,
    TimeProvider Clock);

/// <summary>Who opened the socket: the token's user, the token's id (for logout) and its expiry.</summary>
public sealed record SessionUser(long UserId, string Username, string TokenId, DateTimeOffset TokenExpiresAt);
