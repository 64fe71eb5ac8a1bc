using System.Globalization;
using System.Net.WebSockets;
using ActorQuotes.Actors.Catalog;
using ActorQuotes.Actors.Sessions;
using ActorQuotes.Contracts.Frames;
using ActorQuotes.Contracts.Sessions;
using ActorQuotes.Gateway.Auth;
using ActorQuotes.Gateway.Hosting;
using ActorQuotes.Gateway.Problems;
using ActorQuotes.Gateway.Streaming;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Endpoints;

/// <summary>
/// <c>/api/v1/ws/watchlist/{id}/prices?token=</c>: the prototype's live watchlist stream. Each socket gets
/// its own <see cref="WatchlistSessionActor"/>; this handler only authenticates and reads the client side.
/// </summary>
public static class StreamEndpoints
{
    public static IEndpointRouteBuilder MapStreamEndpoints(this IEndpointRouteBuilder app)
    {
        app.Map("/api/v1/ws/watchlist/{watchlistId}/prices", WatchlistPrices);
        return app;
    }

    private static async Task WatchlistPrices(
        string watchlistId,
        HttpContext context,
        TokenService tokens,
        ActorSystem system,
        ActorQuotesRegions regions,
        CompanyCatalog catalog,
        IOptions<StreamingOptions> options,
        TimeProvider clock,
        IHostApplicationLifetime lifetime)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await ApiProblems.Create(StatusCodes.Status400BadRequest, "websocket_required",
                "This endpoint speaks WebSocket only.").ExecuteAsync(context);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        using var sink = new WebSocketFrameSink(socket);
        var aborted = context.RequestAborted;

        TokenIdentity? identity;
        try
        {
            identity = await tokens.ValidateAsync(context.Request.Query["token"], regions, aborted);
        }
        catch (Exception e) when (e is AskTimeoutException or ServiceUnavailableException)
        {
            await Refuse(sink, CloseCodes.TryAgainLater, CloseCodes.UnavailableCode, "accounts are unavailable; try again", aborted);
            return;
        }

        if (identity is null)
        {
            await Refuse(sink, CloseCodes.Unauthorized, CloseCodes.UnauthorizedCode, "missing, invalid, expired or revoked token", aborted);
            return;
        }

        if (!long.TryParse(watchlistId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            await Refuse(sink, CloseCodes.NotFound, CloseCodes.NotFoundCode, "watchlist not found", aborted);
            return;
        }

        var session = system.ActorOf(WatchlistSessionActor.Props(
            id,
            new SessionUser(identity.UserId, identity.Username, identity.TokenId, identity.ExpiresAt),
            sink,
            new SessionServices(regions.Watchlists, regions.Tickers, DistributedPubSub.Get(system).Mediator, catalog, options.Value, clock)));

        // On shutdown every socket is told to reconnect elsewhere (1012); the client's answer ends the loop.
        using var drain = lifetime.ApplicationStopping.Register(() =>
            _ = sink.CloseAsync(CloseCodes.ServiceRestart, "server shutting down"));
        await sink.ReceiveUntilClosedAsync(aborted);
        try
        {
            await session.GracefulStop(TimeSpan.FromSeconds(5), Actors.Sessions.SessionStop.Instance);
        }
        catch (TaskCanceledException)
        {
            // The session did not stop in time; it holds no resources beyond this socket.
        }

        await sink.CompleteAsync((int)WebSocketCloseStatus.NormalClosure, "bye");
    }

    private static async Task Refuse(WebSocketFrameSink sink, int closeCode, string code, string message, CancellationToken cancellationToken)
    {
        try
        {
            await sink.SendAsync(FrameWriter.ErrorFrame(code, message));
            await sink.CloseAsync(closeCode, code);
            await sink.ReceiveUntilClosedAsync(cancellationToken);
        }
        catch (WebSocketException)
        {
            // The client left before hearing why.
        }
    }
}
