using ActorQuotes.Gateway.Auth;

namespace ActorQuotes.Gateway.Tests;

/// <summary>The node's set of logged-out tokens as a pure value: no actor system, no database, times given.</summary>
public sealed class RevokedTokenSetTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact(DisplayName = "A revoked token is refused until it expires; pruning at its expiry forgets it and keeps the others")]
    public void Prunes_at_expiry()
    {
        var set = RevokedTokenSet.Empty
            .Add("T1", Now.AddMinutes(10), Now)
            .Add("T2", Now.AddHours(2), Now);

        Assert.True(set.IsRevoked("T1"));
        Assert.True(set.IsRevoked("T2"));
        Assert.False(set.IsRevoked("T3"));

        var justBefore = set.Prune(Now.AddMinutes(10).AddTicks(-1));
        Assert.Same(set, justBefore);
        Assert.Equal(2, justBefore.Count);

        var atExpiry = set.Prune(Now.AddMinutes(10));
        Assert.False(atExpiry.IsRevoked("T1"));
        Assert.True(atExpiry.IsRevoked("T2"));
        Assert.Equal(1, atExpiry.Count);

        Assert.Equal(0, atExpiry.Prune(Now.AddHours(2)).Count);
    }

    [Fact(DisplayName = "The same revocation twice is one entry and no change; an already expired token is not added")]
    public void Adds_once_and_only_live_tokens()
    {
        var once = RevokedTokenSet.Empty.Add("T1", Now.AddHours(1), Now);

        Assert.Same(once, once.Add("T1", Now.AddHours(1), Now.AddSeconds(5)));
        Assert.Equal(1, once.Count);
        Assert.Same(once, once.Add("OLD", Now, Now));
        Assert.Same(once, once.Add("OLDER", Now.AddSeconds(-1), Now));
        Assert.False(once.IsRevoked("OLD"));
    }

    [Fact(DisplayName = "Token ids compare exactly: a revoked id in another case is a different token")]
    public void Ids_are_ordinal()
    {
        var set = RevokedTokenSet.Empty.Add("0A1B", Now.AddHours(1), Now);

        Assert.True(set.IsRevoked("0A1B"));
        Assert.False(set.IsRevoked("0a1b"));
    }
}
