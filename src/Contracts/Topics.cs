namespace ActorQuotes.Contracts;

/// <summary>DistributedPubSub topic names. One topic per symbol and one per watchlist.</summary>
public static class Topics
{
    private const string QuotesPrefix = "quotes.";

    public static string Quotes(string symbol) => QuotesPrefix + symbol;

    /// <summary>The symbol of a <see cref="Quotes"/> topic, or null for any other topic.</summary>
    public static string? SymbolOfQuotes(string topic) =>
        topic.StartsWith(QuotesPrefix, StringComparison.Ordinal) ? topic[QuotesPrefix.Length..] : null;

    public static string Account(string username) => "account." + username;

    public static string Watchlist(long watchlistId) =>
        "watchlist." + watchlistId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
