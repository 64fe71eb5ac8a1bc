namespace ActorQuotes.Contracts.Serialization;

/// <summary>
/// The string manifest a type is written with. Once shipped a manifest never changes, or stored
/// events and snapshots stop loading.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class SerializationManifestAttribute(string manifest) : Attribute
{
    public string Manifest { get; } = manifest;
}
