using System.Diagnostics.Metrics;
using ActorQuotes.Actors.Observability;
using Akka.Actor;
using Microsoft.AspNetCore.Http.Features;

namespace ActorQuotes.Gateway.Streaming;

/// <summary>
/// A stream request's HTTP/1.1 upgrade, wrapped so that the connection ASP.NET Core builds the server
/// WebSocket on is a <see cref="CoalescingStream"/>: the handshake stays the framework's, and the
/// session's sink can batch frames under the WebSocket (<see cref="WebSocketFrameSink"/>). A request
/// without an HTTP/1.1 upgrade (an HTTP/2 WebSocket) is left alone, and its frames are written one by one.
/// </summary>
public sealed class CoalescingUpgradeFeature(IHttpUpgradeFeature upgrade, Counter<long>? writeCounter) : IHttpUpgradeFeature
{
    /// <summary>The upgraded connection, once the WebSocket was accepted.</summary>
    public CoalescingStream? Connection { get; private set; }

    public bool IsUpgradableRequest => upgrade.IsUpgradableRequest;

    public async Task<Stream> UpgradeAsync() => Connection = new CoalescingStream(await upgrade.UpgradeAsync().ConfigureAwait(false), writeCounter);

    /// <summary>Middleware, ahead of <c>UseWebSockets</c>: wraps the request's upgrade, if it has one.</summary>
    public static Task WrapAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
        {
            var metrics = NodeMetrics.Get(context.RequestServices.GetRequiredService<ActorSystem>());
            context.Features.Set<IHttpUpgradeFeature>(new CoalescingUpgradeFeature(upgrade, metrics.StreamWrites));
        }

        return next(context);
    }

    /// <summary>The connection of a request that <see cref="WrapAsync"/> wrapped and that was upgraded, or null.</summary>
    public static CoalescingStream? ConnectionOf(HttpContext context) =>
        (context.Features.Get<IHttpUpgradeFeature>() as CoalescingUpgradeFeature)?.Connection;
}
