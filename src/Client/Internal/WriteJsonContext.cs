using System.Text.Json.Serialization;

namespace ActorQuotes.Client.Internal;

internal sealed record PositionBody(double Quantity, double PurchasePrice);

internal sealed record NameBody(string Name);

internal sealed record ProblemBody(string? Code, string? Detail, string? Title);

/// <summary>Source-generated REST bodies: snake_case, as the gateway writes and reads them.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(PositionBody))]
[JsonSerializable(typeof(NameBody))]
[JsonSerializable(typeof(ProblemBody))]
[JsonSerializable(typeof(Watchlist))]
internal sealed partial class WriteJsonContext : JsonSerializerContext;
