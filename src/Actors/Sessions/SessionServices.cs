using ActorQuotes.Actors.Catalog;
using Akka.Actor;

namespace ActorQuotes.Actors.Sessions;

/// <summary>What every session on a node shares: the regions it asks, the mediator, catalog, settings, clock.</summary>
public sealed record SessionServices(
    IActorRef Watchlists,
    IActorRef Tickers,
    IActorRef Mediator,
    CompanyCatalog Catalog,
    StreamingOptions Options,
    TimeProvider Clock);

/// <summary>Who opened the socket: the token's user, the token's id (for logout) and its expiry.</summary>
public sealed record SessionUser(long UserId, string Username, string TokenId, DateTimeOffset TokenExpiresAt);
