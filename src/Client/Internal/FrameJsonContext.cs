using System.Text.Json.Serialization;

namespace ActorQuotes.Client.Internal;

/// <summary>Source-generated reading of the server's frames: snake_case names, UTC timestamps, nulls refused where not allowed.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    RespectNullableAnnotations = true,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(PriceUpdate))]
[JsonSerializable(typeof(QuoteUpdate))]
[JsonSerializable(typeof(Subscribed))]
[JsonSerializable(typeof(Heartbeat))]
[JsonSerializable(typeof(ErrorFrame))]
internal sealed partial class FrameJsonContext : JsonSerializerContext;
