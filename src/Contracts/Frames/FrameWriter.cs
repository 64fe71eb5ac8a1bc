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

    /// <summary>
    /// The prototype's <c>price_update</c> frame, then this server's additions after its fields:
    /// <c>sequence</c> (+1 per frame on this socket), <c>totals</c>, and in changes mode <c>removed</c>.
    /// </summary>
    public static void WritePriceUpdate(
        IBufferWriter<byte> output,
        long watchlistId,
        ReadOnlySpan<StockFrameRow> stocks,
        DateTimeOffset timestamp,
        long sequence,
        in PortfolioTotals totals,
        IReadOnlyCollection<string>? removed = null,
        Utf8JsonWriter? reuse = null)
    {
        var writer = Begin(output, reuse);
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
        writer.WriteNumber("sequence"u8, sequence);
        writer.WriteStartObject("totals"u8);
        WriteFloat(writer, "market_value"u8, totals.MarketValue);
        WriteFloat(writer, "cost"u8, totals.Cost);
        WriteFloat(writer, "unrealized_pl"u8, totals.UnrealizedPl);
        WriteFloat(writer, "day_change"u8, totals.DayChange);
        writer.WriteEndObject();
        if (removed is { Count: > 0 })
        {
            writer.WriteStartArray("removed"u8);
            foreach (var symbol in removed)
            {
                writer.WriteStringValue(symbol);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        End(writer, reuse);
    }

    /// <summary>
    /// The quote's fields as a JSON object minus its opening brace:
    /// <c>"ticker_symbol":…,"price":…,…,"quote_sequence":…}</c>. Built once per node per quote and shared
    /// by every quote-stream socket, which only writes its own <c>{"type":"quote","sequence":n,</c> in front.
    /// </summary>
    public static byte[] QuoteTail(Tickers.Quote quote)
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
            writer.WriteString("timestamp"u8, quote.Timestamp.UtcDateTime);
            writer.WriteNumber("quote_sequence"u8, quote.Sequence);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan[1..].ToArray();
    }

    /// <summary>A quote frame: this socket's header, then the shared <see cref="QuoteTail"/>.</summary>
    public static void WriteQuote(IBufferWriter<byte> output, long sequence, ReadOnlySpan<byte> quoteTail)
    {
        Span<byte> number = stackalloc byte[20];
        sequence.TryFormat(number, out var digits, default, CultureInfo.InvariantCulture);
        output.Write("{\"type\":\"quote\",\"sequence\":"u8);
        output.Write(number[..digits]);
        output.Write(","u8);
        output.Write(quoteTail);
    }

    /// <summary><c>{"type":"subscribed","sequence":n,"symbols":[…]}</c>: the socket's whole current set.</summary>
    public static void WriteSubscribed(IBufferWriter<byte> output, long sequence, IEnumerable<string> symbols, Utf8JsonWriter? reuse = null)
    {
        var writer = Begin(output, reuse);
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
        End(writer, reuse);
    }

    /// <summary><c>{"type":"heartbeat","sequence":n,"timestamp":...}</c>: the link is alive, the market quiet.</summary>
    public static void WriteHeartbeat(IBufferWriter<byte> output, long sequence, DateTimeOffset timestamp, Utf8JsonWriter? reuse = null)
    {
        var writer = Begin(output, reuse);
        writer.WriteStartObject();
        writer.WriteString("type"u8, "heartbeat"u8);
        writer.WriteNumber("sequence"u8, sequence);
        WriteTimestamp(writer, timestamp);
        writer.WriteEndObject();
        End(writer, reuse);
    }

    /// <summary>A writer with the frames' settings, for a session to keep and pass as <c>reuse</c>.</summary>
    public static Utf8JsonWriter CreateWriter(IBufferWriter<byte> output) => new(output, WriterOptions);

    // A session passes its own writer, so building a frame allocates nothing per socket.
    private static Utf8JsonWriter Begin(IBufferWriter<byte> output, Utf8JsonWriter? reuse)
    {
        if (reuse is null)
        {
            return new Utf8JsonWriter(output, WriterOptions);
        }

        reuse.Reset(output);
        return reuse;
    }

    private static void End(Utf8JsonWriter writer, Utf8JsonWriter? reuse)
    {
        writer.Flush();
        if (reuse is null)
        {
            writer.Dispose();
        }
    }

    /// <summary>An error frame written into a session's buffer (see <see cref="ErrorFrame"/>).</summary>
    public static void WriteError(IBufferWriter<byte> output, string code, string message, Utf8JsonWriter? reuse = null)
    {
        var writer = Begin(output, reuse);
        writer.WriteStartObject();
        writer.WriteString("type"u8, "error"u8);
        writer.WriteString("code"u8, code);
        writer.WriteString("message"u8, message);
        writer.WriteEndObject();
        End(writer, reuse);
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
