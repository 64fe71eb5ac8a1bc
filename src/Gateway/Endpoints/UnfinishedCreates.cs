using System.Collections.Immutable;
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
    /// <summary>How many dead links the account let go of. A link whose check fails stays for a later check.</summary>
    public static async Task<int> ReleaseAsync(ActorQuotesRegions regions, CurrentUser user, TimeSpan minAge, CancellationToken cancellationToken)
    {
        AccountWatchlists stale;
        try
        {
            if (await regions.AskAccountOrThrow(new GetStaleWatchlistLinks(user.Username, minAge), cancellationToken) is not AccountWatchlists owned
                || owned.WatchlistIds.IsEmpty)
            {
                return 0;
            }

            stale = owned;
        }
        catch (Exception e) when (e is ServiceUnavailableException or AskTimeoutException)
        {
            return 0; // the check is a courtesy: the create is answered limit_reached as it was
        }

        // Different entities, so in parallel; each is a read unless the id was never created.
        var dead = await Task.WhenAll(stale.WatchlistIds.Select(id => IsDeadAsync(regions, user, id, cancellationToken)));
        return await ReleaseAsync(regions, user, stale.WatchlistIds.Where((_, i) => dead[i]).ToImmutableList());
    }

    /// <summary>Lets go of one link whose create was refused as abandoned (the tombstone is already there).</summary>
    public static Task<int> ReleaseAbandonedAsync(ActorQuotesRegions regions, CurrentUser user, long watchlistId) =>
        ReleaseAsync(regions, user, [watchlistId]);

    private static async Task<int> ReleaseAsync(ActorQuotesRegions regions, CurrentUser user, ImmutableList<long> dead)
    {
        if (dead.IsEmpty)
        {
            return 0;
        }

        try
        {
            // Not the request's token: once the tombstones are written, only the unlink stops them counting.
            await regions.WriteAccount(new ReleaseWatchlistLinks(user.Username, dead), CancellationToken.None);
            return dead.Count;
        }
        catch (Exception e) when (e is OutcomeUnknownException or ServiceUnavailableException or AskTimeoutException)
        {
            return 0; // tombstoned but still linked: the next check finds them dead again and finishes
        }
    }

    /// <summary>Whether the watchlist says the link is dead: not the user's, and (tombstoned) never to be.</summary>
    private static async Task<bool> IsDeadAsync(ActorQuotesRegions regions, CurrentUser user, long watchlistId, CancellationToken cancellationToken)
    {
        try
        {
            return await regions.WriteWatchlist(new AbandonWatchlist(watchlistId, user.UserId), cancellationToken) is WatchlistAbandonedReply;
        }
        catch (Exception e) when (e is OutcomeUnknownException or ServiceUnavailableException or AskTimeoutException)
        {
            return false; // unknown: the link stays
        }
    }
}
