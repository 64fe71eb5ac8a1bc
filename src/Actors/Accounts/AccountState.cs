using System.Collections.Immutable;
using ActorQuotes.Contracts.Accounts;

namespace ActorQuotes.Actors.Accounts;

/// <summary>An account: identity, password hash and the watchlists it owns. Pure apply.</summary>
public sealed record AccountState(
    string Username,
    long UserId,
    string PasswordHash,
    ImmutableList<long> WatchlistIds,
    bool Registered)
{
    /// <summary>Most watchlists one user may own.</summary>
    public const int MaxWatchlists = 50;

    public static AccountState Empty(string username) =>
        new(username, 0, string.Empty, ImmutableList<long>.Empty, false);

    public AccountState Apply(IAccountEvent e) => e switch
    {
        AccountRegistered r => this with { UserId = r.UserId, Username = r.Username, PasswordHash = r.PasswordHash, Registered = true },
        WatchlistLinked l => WatchlistIds.Contains(l.WatchlistId) ? this : this with { WatchlistIds = WatchlistIds.Add(l.WatchlistId) },
        WatchlistUnlinked u => this with { WatchlistIds = WatchlistIds.Remove(u.WatchlistId) },
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "Unknown account event."),
    };
}
