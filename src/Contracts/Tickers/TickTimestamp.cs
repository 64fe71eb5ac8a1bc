using System.Globalization;

namespace ActorQuotes.Contracts.Tickers;

/// <summary>
/// The timestamp of a tick as text, for ingested ticks and replay files alike: ISO 8601 with an offset
/// (<c>2026-11-27T09:00:00+09:00</c>) or <c>Z</c>, seconds required, up to seven fraction digits.
/// </summary>
public static class TickTimestamp
{
    // An offset is required: a bare local time would mean something different on every server.
    private static readonly string[] OffsetFormats = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz"];
    private static readonly string[] UtcFormats = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"];

    /// <summary>The instant with the offset it was written with (zero for <c>Z</c>); false for anything else.</summary>
    public static bool TryParse(string text, out DateTimeOffset timestamp) =>
        DateTimeOffset.TryParseExact(text, OffsetFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out timestamp)
        || DateTimeOffset.TryParseExact(text, UtcFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out timestamp);
}
