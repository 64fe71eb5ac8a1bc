using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorQuotes.Client.Internal;

/// <summary>
/// Reads the frames' timestamps as UTC. <c>price_update</c> and <c>heartbeat</c> write them with no offset
/// (<c>2025-11-09T16:00:00</c>, the prototype's form); System.Text.Json would take that as local time.
/// </summary>
internal sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    private const DateTimeStyles Styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String
            || !DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, Styles, out var value))
        {
            throw new JsonException("a timestamp must be an ISO 8601 string");
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime);
}
