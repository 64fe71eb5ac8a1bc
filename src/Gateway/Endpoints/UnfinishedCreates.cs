using ActorQuotes.Contracts.Accounts;
using ActorQuotes.Contracts.Watchlists;
using ActorQuotes.Gateway.Auth;
using ActorQuotes.Gateway.Hosting;
using ActorQuotes.Gateway.Problems;
using Akka.Actor;

namespace ActorQuotes.Gateway.Endpoints;

/// <summary>
/// Issue 22 item 3: an account journals its link before the watchlist journals its creation, so a crash in
/// between leaves a link to a watchlist that never existed, counting against the owner's limit. When a
/// create finds the owner at the limit, each link older than <see cref="WatchlistOptions.AbandonCreateAfter"/>
/// is checked with its watchlist: one never created is tombstoned there first (<see cref="AbandonWatchlist"/>,
/// so a late create of it is refused), and only then unlinked. docs/architecture.md, "Creates that never finished".
/// </summary>
internal static class UnfinishedCreates
{
    /// <summary>How many dead links the account let go of. Any failure leaves that link for a later check.</summary>
    public static async Task<int> ReleaseAsync(ActorQuotesRegions regions, CurrentUser user, TimeSpan minAge, CancellationToken cancellationToken)
    {
        if (await regions.AskAccountOrThrow(new GetStaleWatchlistLinks(user.Username, minAge), cancellationToken) is not AccountWatchlists stale)
        {
            return 0;
        }

        var released = await Task.WhenAll(stale.WatchlistIds.Select(id => ReleaseAsync(regions, user, id, cancellationToken)));
        return released.Count(r => r);
    }

    /// <summary>Unlinks <paramref name="watchlistId"/> if its watchlist says it is not the user's and never will be.</summary>
    public static async Task<bool> ReleaseAsync(ActorQuotesRegions regions, CurrentUser user, long watchlistId, CancellationToken cancellationToken)
    {
        try
        {
            if (await regions.WriteWatchlist(new AbandonWatchlist(watchlistId, user.UserId), cancellationToken) is not WatchlistAbandonedReply)
            {
                return false; // the watchlist is real (or its journal is down): the link stays
            }

            await regions.WriteAccount(new UnlinkWatchlist(user.Username, watchlistId), cancellationToken);
            return true;
        }
        catch (Exception e) when (e is OutcomeUnknownException or ServiceUnavailableException or AskTimeoutException)
        {
            // A tombstone written without its unlink is finished by the next check; nothing is lost either way.
            return false;
        }
    }
}
