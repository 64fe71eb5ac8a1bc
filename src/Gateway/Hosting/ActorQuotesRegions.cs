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
/// The gateway's only way into the cluster: asks to the shard regions, each with a timeout
/// (<see cref="RequestOptions.AskTimeout"/>) and the request's cancellation token. A read that times out
/// surfaces as <see cref="AskTimeoutException"/> (503); a write that times out, or whose journal write
/// failed, as <see cref="Problems.OutcomeUnknownException"/> (504), because it may still have happened.
/// </summary>
public sealed class ActorQuotesRegions(
    IRequiredActor<WatchlistActor> watchlists,
    IRequiredActor<AccountActor> accounts,
    IRequiredActor<IdSequenceActor> ids,
    IRequiredActor<TickerActor> tickers,
    Microsoft.Extensions.Options.IOptions<RequestOptions> options,
    Fencing.NodeFence fence)
{
    public static readonly TimeSpan DefaultAskTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long any ask waits (<c>Requests:AskTimeout</c>).</summary>
    public TimeSpan AskTimeout { get; } = options.Value.AskTimeout;

    public IActorRef Watchlists => watchlists.ActorRef;

    public IActorRef Tickers => tickers.ActorRef;

    public async Task<object> AskWatchlist(IWatchlistRequest request, CancellationToken cancellationToken) =>
        Serving(await watchlists.ActorRef.Ask<object>(request, AskTimeout, cancellationToken));

    public async Task<object> AskAccount(IAccountRequest request, CancellationToken cancellationToken) =>
        Serving(await accounts.ActorRef.Ask<object>(request, AskTimeout, cancellationToken));

    private async Task<object> AccountOrThrow(IAccountRequest request, CancellationToken cancellationToken) =>
        await accounts.ActorRef.Ask<object>(request, AskTimeout, cancellationToken) switch
        {
            AccountCommandRejected { Code: AccountRejection.Unavailable } r => throw new Problems.ServiceUnavailableException(r.Reason),
            AccountCommandRejected { Code: AccountRejection.OutcomeUnknown } r => throw new Problems.OutcomeUnknownException(r.Reason),
            var reply => reply,
        };

    /// <summary>A reply that arrives after this node stopped serving is not passed on: the node answers no 2xx any more.</summary>
    private object Serving(object reply) => fence.Reason is { } reason
        ? throw new Problems.ServiceUnavailableException($"this node stopped serving ({reason}); use another node")
        : reply;

    /// <summary>A write answered after this node stopped serving: it may have happened, and this node may no longer say so.</summary>
    private object WriteServing(object reply) => fence.Reason is { } reason
        ? throw new Problems.OutcomeUnknownException(
            $"this node stopped serving ({reason}) while the change was in flight; it may or may not have been made: retry with the same Idempotency-Key on another node")
        : reply;

    /// <summary>
    /// A command that changes a watchlist. Once sent, a timeout no longer means "nothing changed": it throws
    /// <see cref="Problems.OutcomeUnknownException"/> (504). A failed journal write comes back as the typed
    /// <see cref="WatchlistRejection.OutcomeUnknown"/>.
    /// </summary>
    public async Task<object> WriteWatchlist(IWatchlistRequest command, CancellationToken cancellationToken)
    {
        try
        {
            return WriteServing(await watchlists.ActorRef.Ask<object>(command, AskTimeout, cancellationToken));
        }
        catch (AskTimeoutException)
        {
            throw new Problems.OutcomeUnknownException(TimedOut);
        }
    }

    /// <summary>A command that changes an account: <see cref="AskAccountOrThrow"/>, with a timeout answered 504 as in <see cref="WriteWatchlist"/>.</summary>
    public async Task<object> WriteAccount(IAccountRequest command, CancellationToken cancellationToken)
    {
        try
        {
            return WriteServing(await AccountOrThrow(command, cancellationToken));
        }
        catch (AskTimeoutException)
        {
            throw new Problems.OutcomeUnknownException(TimedOut);
        }
    }

    private string TimedOut =>
        $"the cluster did not answer within {AskTimeout.TotalSeconds:0.###} s; the change may or may not have been made: retry with the same Idempotency-Key";

    /// <summary>A fire-and-forget message to an account (no reply expected).</summary>
    public void TellAccount(IAccountRequest message) => accounts.ActorRef.Tell(message);

    /// <summary>
    /// Asks an account and turns an "unavailable" refusal (journal down, state not in memory) into
    /// <see cref="Problems.ServiceUnavailableException"/>, answered 503, and a failed journal write into
    /// <see cref="Problems.OutcomeUnknownException"/>, answered 504.
    /// </summary>
    public async Task<object> AskAccountOrThrow(IAccountRequest request, CancellationToken cancellationToken) =>
        Serving(await AccountOrThrow(request, cancellationToken));

    public async Task<long> AllocateId(string sequence, CancellationToken cancellationToken)
    {
        var allocated = await ids.ActorRef.Ask<IdAllocated>(new AllocateId(sequence), AskTimeout, cancellationToken);
        return ((IdAllocated)Serving(allocated)).Value;
    }
}
