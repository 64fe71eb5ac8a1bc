using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace ActorQuotes.Contracts.Serialization;

/// <summary>
/// System.Text.Json serializer for every <see cref="IActorQuotesMessage"/>: remoted messages, journal
/// events and snapshots. Types are found by their <see cref="SerializationManifestAttribute"/>.
/// </summary>
public sealed class ActorQuotesSerializer : SerializerWithStringManifest
{
    /// <summary>Akka reserves ids below 100; this one is ours for good.</summary>
    public const int SerializerId = 4711;

    public const string Name = "actorquotes-json";

    private static readonly FrozenDictionary<Type, string> ManifestsByType = DiscoverManifests();
    private static readonly FrozenDictionary<string, Type> TypesByManifest =
        ManifestsByType.ToFrozenDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);

    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.General)
    {
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public ActorQuotesSerializer(ExtendedActorSystem system) : base(system)
    {
    }

    public override int Identifier => SerializerId;

    /// <summary>Every type with a manifest, for tests that check each one round-trips.</summary>
    public static IReadOnlyDictionary<Type, string> Manifests => ManifestsByType;

    public override byte[] ToBinary(object obj) =>
        JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), JsonOptions);

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!TypesByManifest.TryGetValue(manifest, out var type))
        {
            throw new System.Runtime.Serialization.SerializationException($"Unknown manifest '{manifest}' for {Name}.");
        }

        return JsonSerializer.Deserialize(bytes, type, JsonOptions)
               ?? throw new System.Runtime.Serialization.SerializationException($"Payload for '{manifest}' deserialized to null.");
    }

    public override string Manifest(object o) =>
        ManifestsByType.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"{o.GetType()} has no [SerializationManifest].", nameof(o));

    private static FrozenDictionary<Type, string> DiscoverManifests()
    {
        var map = new Dictionary<Type, string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in typeof(IActorQuotesMessage).Assembly.GetTypes())
        {
            if (!typeof(IActorQuotesMessage).IsAssignableFrom(type) || type.IsAbstract || type.IsInterface)
            {
                continue;
            }

            var attribute = type.GetCustomAttribute<SerializationManifestAttribute>()
                            ?? throw new InvalidOperationException($"{type} lacks [SerializationManifest].");
            if (!seen.Add(attribute.Manifest))
            {
                throw new InvalidOperationException($"Manifest '{attribute.Manifest}' is used twice.");
            }

            map[type] = attribute.Manifest;
        }

        return map.ToFrozenDictionary();
    }
}
