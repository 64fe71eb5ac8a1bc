using ActorQuotes.Contracts.Tickers;

namespace ActorQuotes.Contracts.Tests;

/// <summary>The one reader of tick timestamps, shared by the ingest API and replay files.</summary>
public sealed class TickTimestampTests
{
    [Theory(DisplayName = "ISO 8601 with an offset or Z reads as that instant, keeping the offset it was written with")]
    [InlineData("2026-11-27T09:00:00+09:00", 2026, 11, 27, 9, 0, 0, 0L, 9 * 60)]
    [InlineData("2026-11-27T09:00:00-05:30", 2026, 11, 27, 9, 0, 0, 0L, -(5 * 60 + 30))]
    [InlineData("2026-11-29T01:00:00Z", 2026, 11, 29, 1, 0, 0, 0L, 0)]
    [InlineData("2026-11-29T01:00:00+00:00", 2026, 11, 29, 1, 0, 0, 0L, 0)]
    [InlineData("2026-11-29T01:00:00.5Z", 2026, 11, 29, 1, 0, 0, 5_000_000L, 0)]
    [InlineData("2026-11-29T01:00:00.1234567+01:00", 2026, 11, 29, 1, 0, 0, 1_234_567L, 60)]
    [InlineData("9999-12-31T23:59:59Z", 9999, 12, 31, 23, 59, 59, 0L, 0)]
    public void Reads_offset_and_utc(string text, int year, int month, int day, int hour, int minute, int second, long fractionTicks, int offsetMinutes)
    {
        Assert.True(TickTimestamp.TryParse(text, out var timestamp));

        var expected = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.FromMinutes(offsetMinutes)).AddTicks(fractionTicks);
        Assert.Equal((expected, expected.Offset), (timestamp, timestamp.Offset));
    }

    [Theory(DisplayName = "Anything else is refused: no offset, no seconds, a space for T, lower-case z, eight fraction digits, a date alone, epoch numbers")]
    [InlineData("2026-11-29T01:00:00")]
    [InlineData("2026-11-29T01:00Z")]
    [InlineData("2026-11-29 01:00:00Z")]
    [InlineData("2026-11-29T01:00:00z")]
    [InlineData("2026-11-29T01:00:00.12345678Z")]
    [InlineData("2026-11-29")]
    [InlineData("1764378000")]
    [InlineData(" 2026-11-29T01:00:00Z")]
    [InlineData("2026-02-30T01:00:00Z")]
    [InlineData("")]
    public void Refuses_the_rest(string text)
    {
        Assert.False(TickTimestamp.TryParse(text, out _));
    }
}
