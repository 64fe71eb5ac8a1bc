using System.Text.Json;
using ActorQuotes.Client.Internal;

namespace ActorQuotes.Client;

/// <summary>Reads one server frame (a WebSocket text message) into its typed record.</summary>
public static class StreamFrames
{
    /// <summary>
    /// The frame's record, or null for a <c>type</c> this client does not know (a newer server's; skipped, though
    /// its <c>sequence</c> still counts). Throws <see cref="JsonException"/> when the message is not a JSON object
    /// with a string <c>type</c>, or a known frame has a field of the wrong kind.
    /// </summary>
    public static StreamEvent? Parse(ReadOnlySpan<byte> utf8Json) => Parse(utf8Json, out _);

    /// <summary>As <see cref="Parse(ReadOnlySpan{byte})"/>, and the frame's <c>sequence</c> (null when it has none), whatever its type.</summary>
    public static StreamEvent? Parse(ReadOnlySpan<byte> utf8Json, out long? sequence)
    {
        var kind = Scan(utf8Json, out sequence);
        var context = FrameJsonContext.Default;
        StreamEvent? frame = kind switch
        {
            FrameKind.PriceUpdate => JsonSerializer.Deserialize(utf8Json, context.PriceUpdate),
            FrameKind.Quote => JsonSerializer.Deserialize(utf8Json, context.QuoteUpdate),
            FrameKind.Subscribed => JsonSerializer.Deserialize(utf8Json, context.Subscribed),
            FrameKind.Heartbeat => JsonSerializer.Deserialize(utf8Json, context.Heartbeat),
            FrameKind.Error => JsonSerializer.Deserialize(utf8Json, context.ErrorFrame),
            _ => null,
        };
        return frame;
    }

    /// <summary>Finds the top-level <c>type</c> and <c>sequence</c> without materializing the frame.</summary>
    private static FrameKind Scan(ReadOnlySpan<byte> json, out long? sequence)
    {
        sequence = null;
        FrameKind? kind = null;
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("a frame must be a JSON object");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    throw new JsonException("a frame's type must be a string");
                }

                kind = Kind(ref reader);
            }
            else if (reader.ValueTextEquals("sequence"u8))
            {
                reader.Read();
                sequence = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n)
                    ? n
                    : throw new JsonException("a frame's sequence must be a whole number");
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return kind ?? throw new JsonException("a frame must have a type");
    }

    private static FrameKind Kind(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("price_update"u8) ? FrameKind.PriceUpdate
        : reader.ValueTextEquals("quote"u8) ? FrameKind.Quote
        : reader.ValueTextEquals("heartbeat"u8) ? FrameKind.Heartbeat
        : reader.ValueTextEquals("subscribed"u8) ? FrameKind.Subscribed
        : reader.ValueTextEquals("error"u8) ? FrameKind.Error
        : FrameKind.Unknown;

    private enum FrameKind
    {
        Unknown,
        PriceUpdate,
        Quote,
        Subscribed,
        Heartbeat,
        Error,
    }
}
