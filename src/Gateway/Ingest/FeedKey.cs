using System.Security.Cryptography;
using System.Text;
using ActorQuotes.Gateway.Hosting;
using Microsoft.Extensions.Primitives;

namespace ActorQuotes.Gateway.Ingest;

/// <summary>
/// Feed adapters authenticate with a key from <c>Feeds:Ingest:ApiKeys</c> (a user token is not enough). A check,
/// not an authentication scheme: the REST batch answers 401 before reading the body, while the feed socket must
/// accept the upgrade first so it can refuse with an error frame and close 4401.
/// </summary>
public static class FeedKey
{
    public const string HeaderName = "X-Feed-Key";

    /// <summary>The key in the <c>X-Feed-Key</c> header; null when absent or sent more than once.</summary>
    public static string? FromHeader(HttpRequest request) => SingleValue(request.Headers[HeaderName]);

    /// <summary>
    /// The header where the client can set one; the <c>?key=</c> query for those that cannot (browsers'
    /// WebSockets; it may end up in access logs).
    /// </summary>
    public static string? FromHeaderOrQuery(HttpRequest request) => FromHeader(request) ?? SingleValue(request.Query["key"]);

    /// <summary>
    /// True when <paramref name="presented"/> is one of the configured keys. Both sides are hashed first, so
    /// the comparison takes the same time whatever the key's length and wherever it differs.
    /// </summary>
    public static bool IsValid(string? presented, IngestOptions options)
    {
        if (string.IsNullOrEmpty(presented) || options.ApiKeys.Length == 0)
        {
            return false;
        }

        Span<byte> given = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), given);
        var match = false;
        foreach (var key in options.ApiKeys)
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(key), expected);
            match |= CryptographicOperations.FixedTimeEquals(given, expected);
        }

        return match;
    }

    private static string? SingleValue(StringValues values) => values.Count == 1 ? values[0] : null;
}
