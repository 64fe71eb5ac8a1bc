using System.Collections.Immutable;

namespace ActorQuotes.Gateway.Auth;

/// <summary>
/// The token ids logged out and not yet expired, each with its token's expiry. Pure and immutable: a node
/// swaps in a new set per change and every request reads the current one without a lock. An entry is only
/// worth keeping until its token expires (an expired token is refused on its own), so <see cref="Prune"/>
/// drops it then; that bounds the set by the logouts of one token lifetime.
/// </summary>
public sealed class RevokedTokenSet
{
    public static readonly RevokedTokenSet Empty = new(ImmutableDictionary<string, DateTimeOffset>.Empty.WithComparers(StringComparer.Ordinal));

    private readonly ImmutableDictionary<string, DateTimeOffset> _expiries;

    private RevokedTokenSet(ImmutableDictionary<string, DateTimeOffset> expiries) => _expiries = expiries;

    public int Count => _expiries.Count;

    public bool IsRevoked(string tokenId) => _expiries.ContainsKey(tokenId);

    /// <summary>
    /// This set with the revocation added. An already expired token is not added (nothing to refuse that
    /// validation does not refuse already); a known one keeps its entry, so the same notice twice is one change.
    /// </summary>
    public RevokedTokenSet Add(string tokenId, DateTimeOffset expiresAt, DateTimeOffset now) =>
        expiresAt <= now || _expiries.ContainsKey(tokenId) ? this : new(_expiries.Add(tokenId, expiresAt));

    /// <summary>This set without the tokens that have expired by <paramref name="now"/>.</summary>
    public RevokedTokenSet Prune(DateTimeOffset now)
    {
        List<string>? expired = null;
        foreach (var (tokenId, expiresAt) in _expiries)
        {
            if (expiresAt <= now)
            {
                (expired ??= []).Add(tokenId);
            }
        }

        return expired is null ? this : new(_expiries.RemoveRange(expired));
    }
}
