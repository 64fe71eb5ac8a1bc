namespace ActorQuotes.Gateway.Hosting;

/// <summary>Settings of the ingest API for external feed adapters (configuration section <c>Feeds:Ingest</c>).</summary>
public sealed class IngestOptions
{
    public const string Section = "Feeds:Ingest";

    /// <summary>Whether <c>POST /api/v1/quotes</c> and <c>/api/v1/ws/feed</c> exist on this node.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Feed keys an adapter may present in <c>X-Feed-Key</c>. None configured: every call is refused.</summary>
    public string[] ApiKeys { get; set; } = [];
}
