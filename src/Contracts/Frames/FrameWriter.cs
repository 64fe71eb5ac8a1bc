using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ActorQuotes.Contracts.Frames;

/// <summary>
/// Writes the WebSocket frames with <see cref="Utf8JsonWriter"/>: compact, raw UTF-8 (Japanese names
/// are not \u-escaped, as the prototype's Starlette did not), numbers in Python's float form.
/// </summary>
public static class FrameWriter
{
    /// <summary>The prototype's timestamp form: UTC, seconds, no offset ("2025-11-09T16:00:00").</summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    public static void WritePriceUpdate(
        IBufferWriter<byte> output,
        long watchlistId,
        ReadOnlySpan<StockFrameRow> stocks,
        DateTimeOffset timestamp)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("type"u8, "price_update"u8);
        writer.WriteNumber("watchlist_id"u8, watchlistId);
        writer.WriteStartArray("stocks"u8);
        foreach (ref readonly var row in stocks)
        {
            writer.WriteStartObject();
            writer.WriteNumber("company_id"u8, row.CompanyId);
            writer.WriteString("ticker_symbol"u8, row.TickerSymbol);
            writer.WriteString("company_name"u8, row.CompanyName);
            WriteFloat(writer, "current_price"u8, row.CurrentPrice);
            WriteFloat(writer, "change"u8, row.Change);
            WriteFloat(writer, "change_percent"u8, row.ChangePercent);
            WriteFloat(writer, "quantity"u8, row.Quantity);
            WriteFloat(writer, "purchase_price"u8, row.PurchasePrice);
            WriteFloat(writer, "unrealized_pl"u8, row.UnrealizedPl);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        WriteTimestamp(writer, timestamp);
        writer.WriteEndObject();
    }

    /// <summary><c>{"type":"error","code":...,"message":...}</c>, sent before a close with a 44xx code.</summary>
    public static byte[] ErrorFrame(string code, string message)
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

    private static void WriteTimestamp(Utf8JsonWriter writer, DateTimeOffset timestamp)
    {
        Span<byte> text = stackalloc byte[19];
        timestamp.UtcDateTime.TryFormat(text, out var written, TimestampFormat, CultureInfo.InvariantCulture);
        writer.WriteString("timestamp"u8, text[..written]);
    }
}
