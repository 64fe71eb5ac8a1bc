namespace ActorQuotes.Contracts;

/// <summary>DistributedPubSub topic names. One topic per symbol and one per watchlist, one for logouts.</summary>
public static class Topics
{
    private const string QuotesPrefix = "quotes.";

    public static string Quotes(string symbol) => QuotesPrefix + symbol;

    /// <summary>The symbol of a <see cref="Quotes"/> topic, or null for any other topic.</summary>
    public static string? SymbolOfQuotes(string topic) =>
        topic.StartsWith(QuotesPrefix, StringComparison.Ordinal) ? topic[QuotesPrefix.Length..] : null;

    public static string Account(string username) => "account." + username;

    /// <summary>Every logout in the cluster (<c>TokenRevokedNotice</c>); each node's revocation list subscribes.</summary>
    public const string Revocations = "token-revocations";

    public static string Watchlist(long watchlistId) =>
        "watchlist." + watchlistId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
