using ActorQuotes.Contracts.Tickers;

namespace ActorQuotes.Contracts.Tests;

public sealed class QuoteTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);

    [Fact(DisplayName = "A quote's change and change % are against its previous close")]
    public void Change_against_previous_close()
    {
        var quote = new Quote("7203", 2650.0, 2600.0, T0, 1);

        Assert.Equal(50.0, quote.Change);
        Assert.Equal(1.92, quote.ChangePercent);
    }

    [Fact(DisplayName = "A quote is newer only when its sequence is higher: a lower one with a later time is a stale quote of an earlier ticker incarnation")]
    public void Newer()
    {
        var first = new Quote("7203", 1, 1, T0, 5);

        Assert.True(first.IsNewerThan(null));
        Assert.True(new Quote("7203", 1, 1, T0, 6).IsNewerThan(first));
        Assert.True(new Quote("7203", 1, 1, T0.AddSeconds(-1), 1005).IsNewerThan(first));
        Assert.False(new Quote("7203", 1, 1, T0.AddSeconds(1), 4).IsNewerThan(first));
        Assert.False(new Quote("7203", 1, 1, T0.AddSeconds(1), 5).IsNewerThan(first));
        Assert.False(new Quote("7203", 1, 1, T0, 5).IsNewerThan(first));
        Assert.False(new Quote("7203", 1, 1, T0, 4).IsNewerThan(first));
    }
}
