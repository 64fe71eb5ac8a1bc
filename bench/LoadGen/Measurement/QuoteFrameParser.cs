namespace ActorQuotes.Bench.LoadGen.Measurement;

/// <summary>What a quote-stream text frame is, as far as the generator cares.</summary>
public enum FrameKind
{
    Other,
    Quote,
    Subscribed,
    Error,
}

/// <summary>
/// Reads the two things the generator needs from a quote-stream frame without a JSON parser: its type and
/// the quote's <c>timestamp</c> (the tick's send time the generator stamped), as UTC ticks. The servers
/// write the timestamp as <c>yyyy-MM-ddTHH:mm:ss[.fffffff]Z</c> (System.Text.Json drops trailing zeros).
/// </summary>
public static class QuoteFrameParser
{
    private static ReadOnlySpan<byte> QuotePrefix => "{\"type\":\"quote\""u8;
    private static ReadOnlySpan<byte> SubscribedPrefix => "{\"type\":\"subscribed\""u8;
    private static ReadOnlySpan<byte> ErrorPrefix => "{\"type\":\"error\""u8;
    private static ReadOnlySpan<byte> TimestampKey => "\"timestamp\":\""u8;

    public static FrameKind Kind(ReadOnlySpan<byte> frame) =>
        frame.StartsWith(QuotePrefix) ? FrameKind.Quote
        : frame.StartsWith(SubscribedPrefix) ? FrameKind.Subscribed
        : frame.StartsWith(ErrorPrefix) ? FrameKind.Error
        : FrameKind.Other;

    /// <summary>The <c>timestamp</c> value of a frame as UTC <see cref="DateTime.Ticks"/>, or false.</summary>
    public static bool TryReadTimestamp(ReadOnlySpan<byte> frame, out long utcTicks)
    {
        utcTicks = 0;
        var at = frame.IndexOf(TimestampKey);
        if (at < 0)
        {
            return false;
        }

        var rest = frame[(at + TimestampKey.Length)..];
        var end = rest.IndexOf((byte)'"');
        return end >= 0 && TryParseUtc(rest[..end], out utcTicks);
    }

    /// <summary>Parses <c>yyyy-MM-ddTHH:mm:ss</c>, an optional fraction of 1 to 7 digits, and <c>Z</c>.</summary>
    public static bool TryParseUtc(ReadOnlySpan<byte> text, out long utcTicks)
    {
        utcTicks = 0;
        if (text.Length < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':'
            || text[^1] != 'Z')
        {
            return false;
        }

        if (!Digits(text[..4], out var year) || !Digits(text.Slice(5, 2), out var month) || !Digits(text.Slice(8, 2), out var day)
            || !Digits(text.Slice(11, 2), out var hour) || !Digits(text.Slice(14, 2), out var minute)
            || !Digits(text.Slice(17, 2), out var second))
        {
            return false;
        }

        long fraction = 0;
        var rest = text[19..^1];
        if (rest.Length > 0)
        {
            if (rest[0] != '.' || rest.Length < 2 || rest.Length > 8 || !Digits(rest[1..], out var digits))
            {
                return false;
            }

            fraction = digits;
            for (var i = rest.Length - 1; i < 7; i++)
            {
                fraction *= 10;
            }
        }

        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        utcTicks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fraction;
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        if (text.Length == 0)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = value * 10 + (c - '0');
        }

        return true;
    }
}
