using System.Net;
using ActorQuotes.Actors.Sessions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Streaming;

/// <summary>
/// The browser origins that may open streams (docs/protocol.md, "Limits and safety"): the gateway's own, from
/// <c>Streaming:PublicOrigin</c> or else the URLs Kestrel listens on, plus <c>Streaming:AllowedOrigins</c>; and
/// whether any loopback origin may (<c>Streaming:AllowLoopbackOrigins</c>, unset: Development only).
/// </summary>
public sealed class StreamOrigins(IOptions<StreamingOptions> options, IServer server, IHostEnvironment environment)
{
    private IReadOnlySet<string>? _allowed;

    public bool AllowLoopback { get; } = options.Value.AllowLoopbackOrigins ?? environment.IsDevelopment();

    /// <summary>Filled on first use: by then Kestrel listens, so its addresses (and a port 0's real port) are known.</summary>
    public IReadOnlySet<string> Allowed => _allowed ??= Build(options.Value, ListenAddresses());

    public bool Allows(string? origin) => StreamRequest.OriginAllowed(origin, Allowed, AllowLoopback);

    public static IReadOnlySet<string> Build(StreamingOptions options, IEnumerable<string> listenAddresses)
    {
        var allowed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var origin in options.AllowedOrigins)
        {
            if (StreamRequest.NormalizeOrigin(origin) is { } normalized)
            {
                allowed.Add(normalized);
            }
        }

        if (StreamRequest.NormalizeOrigin(options.PublicOrigin) is { } publicOrigin)
        {
            allowed.Add(publicOrigin);
            return allowed;
        }

        // No public origin: a page this node served came from one of the addresses it listens on. A wildcard
        // address (0.0.0.0, [::], +, *) names no origin; a loopback one is reachable by every loopback name.
        foreach (var address in listenAddresses)
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                continue;
            }

            if (StreamRequest.IsLoopback(uri))
            {
                foreach (var host in (string[])["localhost", "127.0.0.1", "[::1]"])
                {
                    allowed.Add(StreamRequest.NormalizeOrigin($"{uri.Scheme}://{host}:{uri.Port}")!);
                }
            }
            else if (!(IPAddress.TryParse(uri.Host, out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
                     && StreamRequest.NormalizeOrigin(uri.GetLeftPart(UriPartial.Authority)) is { } own)
            {
                allowed.Add(own);
            }
        }

        return allowed;
    }

    private IEnumerable<string> ListenAddresses() =>
        server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
}
