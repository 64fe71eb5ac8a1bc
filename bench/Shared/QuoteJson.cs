using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using ActorQuotes.Contracts.Frames;

namespace ActorQuotes.Bench.Baselines;

/// <summary>The SUT's quote-stream frames, byte for byte: a per-socket header and a per-quote tail serialized once.</summary>
internal static class QuoteJson
{
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Everything after <c>{"type":"quote","sequence":n,</c>; the same bytes for every socket.</summary>
    public static byte[] Tail(BaselineQuote quote)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("ticker_symbol"u8, quote.Symbol);
            WriteFloat(writer, "price"u8, quote.Price);
            WriteFloat(writer, "previous_close"u8, quote.PreviousClose);
            WriteFloat(writer, "change"u8, quote.Change);
            WriteFloat(writer, "change_percent"u8, quote.ChangePercent);
            WriteFloat(writer, "open"u8, quote.Open);
            WriteFloat(writer, "day_high"u8, quote.DayHigh);
            WriteFloat(writer, "day_low"u8, quote.DayLow);
            writer.WriteNumber("volume"u8, quote.Volume);
            writer.WriteString("timestamp"u8, quote.Timestamp);
            writer.WriteNumber("quote_sequence"u8, quote.Sequence);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan[1..].ToArray();
    }

    public static void WriteQuote(IBufferWriter<byte> output, long sequence, ReadOnlySpan<byte> tail)
    {
        Span<byte> number = stackalloc byte[20];
        sequence.TryFormat(number, out var digits, default, CultureInfo.InvariantCulture);
        output.Write("{\"type\":\"quote\",\"sequence\":"u8);
        output.Write(number[..digits]);
        output.Write(","u8);
        output.Write(tail);
    }

    public static void WriteSubscribed(IBufferWriter<byte> output, long sequence, IEnumerable<string> symbols)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("type"u8, "subscribed"u8);
        writer.WriteNumber("sequence"u8, sequence);
        writer.WriteStartArray("symbols"u8);
        foreach (var symbol in symbols)
        {
            writer.WriteStringValue(symbol);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static byte[] Error(string code, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "error"u8);
            writer.WriteString("code"u8, code);
            writer.WriteString("message"u8, message);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteFloat(Utf8JsonWriter writer, ReadOnlySpan<byte> name, double value)
    {
        Span<byte> text = stackalloc byte[PythonFloat.MaxLength];
        var length = PythonFloat.Format(value, text);
        writer.WritePropertyName(name);
        writer.WriteRawValue(text[..length], skipInputValidation: true);
    }
}
