namespace ActorQuotes.Contracts;

/// <summary>DistributedPubSub topic names. One topic per symbol and one per watchlist.</summary>
public static class Topics
{
    public static string Quotes(string symbol) => "quotes." + symbol;

    public static string Account(string username) => "account." + username;

    public static string Watchlist(long watchlistId) =>
        "watchlist." + watchlistId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
