using ActorQuotes.Actors.Accounts;
using ActorQuotes.Actors.Ids;
using ActorQuotes.Actors.Tickers;
using ActorQuotes.Actors.Watchlists;
using ActorQuotes.Contracts.Accounts;
using ActorQuotes.Contracts.Ids;
using ActorQuotes.Contracts.Watchlists;
using Akka.Actor;
using Akka.Hosting;

namespace ActorQuotes.Gateway.Hosting;

/// <summary>
/// The gateway's only way into the cluster: asks to the shard regions, each with a timeout and the
/// request's cancellation token. A timeout surfaces as <see cref="AskTimeoutException"/> (503).
/// </summary>
public sealed class ActorQuotesRegions(
    IRequiredActor<WatchlistActor> watchlists,
    IRequiredActor<AccountActor> accounts,
    IRequiredActor<IdSequenceActor> ids,
    IRequiredActor<TickerActor> tickers)
{
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    public IActorRef Watchlists => watchlists.ActorRef;

    public IActorRef Tickers => tickers.ActorRef;

    public Task<object> AskWatchlist(IWatchlistRequest request, CancellationToken cancellationToken) =>
        watchlists.ActorRef.Ask<object>(request, AskTimeout, cancellationToken);

    public Task<object> AskAccount(IAccountRequest request, CancellationToken cancellationToken) =>
        accounts.ActorRef.Ask<object>(request, AskTimeout, cancellationToken);

    /// <summary>A fire-and-forget message to an account (no reply expected).</summary>
    public void TellAccount(IAccountRequest message) => accounts.ActorRef.Tell(message);

    /// <summary>
    /// Asks an account and turns an "unavailable" refusal (journal down, state not in memory) into
    /// <see cref="Problems.ServiceUnavailableException"/>, answered 503.
    /// </summary>
    public async Task<object> AskAccountOrThrow(IAccountRequest request, CancellationToken cancellationToken) =>
        await AskAccount(request, cancellationToken) switch
        {
            AccountCommandRejected { Code: AccountRejection.Unavailable } r => throw new Problems.ServiceUnavailableException(r.Reason),
            var reply => reply,
        };

    public async Task<long> AllocateId(string sequence, CancellationToken cancellationToken)
    {
        var allocated = await ids.ActorRef.Ask<IdAllocated>(new AllocateId(sequence), AskTimeout, cancellationToken);
        return allocated.Value;
    }
}
