using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
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
using Akka.Hosting;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Endpoints;

/// <summary>
/// The two streams: <c>/api/v1/ws/watchlist/{id}/prices</c> (the prototype's) and <c>/api/v1/ws/quotes</c>.
/// Each socket gets its own session actor; these handlers authenticate, check limits, read the client
/// side, and stop the session when the client leaves.
/// </summary>
public static class StreamEndpoints
{
    /// <summary>Largest client message on the quote stream.</summary>
    public const int MaxClientMessageBytes = 16 * 1024;

    public static IEndpointRouteBuilder MapStreamEndpoints(this IEndpointRouteBuilder app)
    {
        app.Map("/api/v1/ws/watchlist/{watchlistId}/prices", WatchlistPrices).WithMetadata(StreamEndpoint.Instance);
        app.Map("/api/v1/ws/quotes", Quotes).WithMetadata(StreamEndpoint.Instance);
        return app;
    }

    /// <summary>
    /// Runs the stream endpoints in a branch of the pipeline of their own, ahead of status pages,
    /// authentication and authorization. A stream's request lasts as long as its socket, and each
    /// middleware it passes keeps its state that long (about 0.8 KB per socket; docs/benchmarks.md,
    /// "W3 memory per idle socket");
    /// streams check their token themselves and write their own errors, so those middleware have nothing
    /// to do for them. Routing has picked the endpoint before this runs.
    /// </summary>
    public static IApplicationBuilder UseStreamEndpoints(this IApplicationBuilder app) =>
        app.MapWhen(
            context => context.GetEndpoint()?.Metadata.GetMetadata<StreamEndpoint>() is not null,
            streams =>
            {
                if (app.ApplicationServices.GetRequiredService<IOptions<StreamingOptions>>().Value.BatchFrames)
                {
                    streams.Use(CoalescingUpgradeFeature.WrapAsync);
                }

                streams.UseWebSockets();
                streams.Run(context => context.GetEndpoint()!.RequestDelegate!(context));
            });

    /// <summary>Marks the endpoints that <see cref="UseStreamEndpoints"/> serves.</summary>
    private sealed class StreamEndpoint
    {
        public static readonly StreamEndpoint Instance = new();
    }

    private static Task WatchlistPrices(string watchlistId, HttpContext context, [AsParameters] StreamDependencies deps) =>
        RunStream(context, deps, (user, sink, services, pace) =>
            long.TryParse(watchlistId, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                ? WatchlistSessionActor.Props(id, user, sink, services, pace)
                : null,
            receive: null, stream: "watchlist");

    /// <summary>How long a client message may wait for its session to handle it before the rest are only read and dropped.</summary>
    private static readonly TimeSpan ClientMessageTimeout = TimeSpan.FromSeconds(10);

    private static Task Quotes(HttpContext context, [AsParameters] StreamDependencies deps) =>
        RunStream(context, deps, (user, sink, services, pace) => QuoteSessionActor.Props(user, sink, services, pace),
            receive: ReceiveQuoteMessages, stream: "quotes");

    /// <summary>
    /// Reads the quote stream's client messages only as fast as the session handles them: each is asked
    /// (<see cref="ClientMessage"/>) and the next is read once it is answered, so a client that sends faster
    /// than its session handles is held back by TCP instead of filling the session's mailbox (issue 22). An ask
    /// per message is fine here: client messages are few and small next to the quotes the session sends. Once
    /// the session has gone (it closed the socket), what the client still sends is read and dropped until it
    /// answers the close.
    /// </summary>
    private static Task ReceiveQuoteMessages(WebSocketFrameSink sink, IActorRef session, CancellationToken cancellationToken)
    {
        var handing = true;
        return sink.ReceiveMessagesAsync(
            async message =>
            {
                // Closed by the session (its close frame is out): what the client sends now changes nothing.
                if (!handing || sink.OutputClosed)
                {
                    return;
                }

                var parsed = message is { } bytes
                    ? QuoteStreamMessage.Parse(bytes.Span)
                    : new ClientMessageRejected("message_too_large", $"client messages are at most {MaxClientMessageBytes} bytes");
                try
                {
                    await session.Ask<ClientMessageHandled>(new ClientMessage(parsed), ClientMessageTimeout, cancellationToken).ConfigureAwait(false);
                }
                catch (AskTimeoutException)
                {
                    handing = false;
                }
            },
            MaxClientMessageBytes,
            cancellationToken);
    }

    private static async Task RunStream(
        HttpContext context,
        StreamDependencies deps,
        Func<SessionUser, IFrameSink, SessionServices, StreamPace, Props?> sessionProps,
        Func<WebSocketFrameSink, IActorRef, CancellationToken, Task>? receive,
        string stream)
    {
        var options = deps.Options.Value;
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await ApiProblems.Create(StatusCodes.Status400BadRequest, "websocket_required",
                "This endpoint speaks WebSocket only.").ExecuteAsync(context);
            return;
        }

        if (!deps.Origins.Allows(context.Request.Headers.Origin))
        {
            await ApiProblems.Create(StatusCodes.Status403Forbidden, "forbidden_origin", "This origin may not open streams.",
                "set Streaming:PublicOrigin to the origin the page is served from, or add it to Streaming:AllowedOrigins").ExecuteAsync(context);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = options.KeepAliveInterval,
            KeepAliveTimeout = options.KeepAliveTimeout,
        });
        using var sink = new WebSocketFrameSink(socket, CoalescingUpgradeFeature.ConnectionOf(context));
        var aborted = context.RequestAborted;

        TokenIdentity? identity;
        try
        {
            identity = deps.Tokens.ValidateUnrevoked(context.Request.Query["token"], deps.Revocations);
        }
        catch (ServiceUnavailableException e)
        {
            await sink.RefuseAsync(CloseCodes.TryAgainLater, CloseCodes.UnavailableCode, e.Message, aborted);
            return;
        }

        if (identity is null)
        {
            await sink.RefuseAsync(CloseCodes.Unauthorized, CloseCodes.UnauthorizedCode, "missing, invalid, expired or revoked token", aborted);
            return;
        }

        var (pace, paceError) = StreamRequest.ParsePace(context.Request.Query, options);
        if (pace is null)
        {
            await sink.RefuseAsync(CloseCodes.BadRequest, CloseCodes.BadRequestCode, paceError!, aborted);
            return;
        }

        var user = new SessionUser(identity.UserId, identity.Username, identity.TokenId, identity.ExpiresAt);
        var services = new SessionServices(deps.Regions.Watchlists, DistributedPubSub.Get(deps.System).Mediator,
            deps.QuoteHub.ActorRef, deps.Catalog, options, deps.Clock);
        if (sessionProps(user, sink, services, pace) is not { } props)
        {
            await sink.RefuseAsync(CloseCodes.NotFound, CloseCodes.NotFoundCode, "watchlist not found", aborted);
            return;
        }

        if (!deps.Sockets.TryOpen(user.UserId, options.MaxSocketsPerUser))
        {
            await sink.RefuseAsync(CloseCodes.TooManySockets, CloseCodes.TooManySocketsCode,
                $"at most {options.MaxSocketsPerUser} open streams per user", aborted);
            return;
        }

        try
        {
            var session = deps.System.ActorOf(props.WithDispatcher(StreamingOptions.Dispatcher).WithMailbox(StreamingOptions.Mailbox));
            // Listed, it is also closed with 1012 on shutdown; the client's answer ends the loop.
            using var listed = deps.Sessions.Add(session, stream, sink, user.TokenId);
            deps.Revocations.RecheckSession(user.Username, user.TokenId, session);
            await (receive is null ? sink.ReceiveUntilClosedAsync(aborted) : receive(sink, session, aborted));
            try
            {
                await session.GracefulStop(TimeSpan.FromSeconds(5), SessionStop.Instance);
            }
            catch (TaskCanceledException)
            {
                // The session did not stop in time; it holds no resources beyond this socket.
            }

            await sink.CompleteAsync((int)WebSocketCloseStatus.NormalClosure, "bye");
        }
        finally
        {
            deps.Sockets.Close(user.UserId);
        }
    }

}

/// <summary>Everything a stream handler needs, bound once from DI.</summary>
public sealed record StreamDependencies(
    TokenService Tokens,
    ActorSystem System,
    ActorQuotesRegions Regions,
    CompanyCatalog Catalog,
    IOptions<StreamingOptions> Options,
    TimeProvider Clock,
    SocketRegistry Sockets,
    LiveSessions Sessions,
    IRequiredActor<QuoteHubActor> QuoteHub,
    TokenRevocations Revocations,
    StreamOrigins Origins);

/// <summary>Parses one client message of the quote stream.</summary>
public static class QuoteStreamMessage
{
    public static object Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("action", out var action) || action.ValueKind != JsonValueKind.String)
            {
                return new ClientMessageRejected("bad_request", "a message is {\"action\":\"subscribe|unsubscribe\",\"symbols\":[...]}");
            }

            var name = action.GetString();
            if (name is not ("subscribe" or "unsubscribe"))
            {
                return new ClientMessageRejected("unknown_action", $"unknown action '{Truncate(name)}'; use subscribe or unsubscribe");
            }

            if (!root.TryGetProperty("symbols", out var list) || list.ValueKind != JsonValueKind.Array
                || list.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            {
                return new ClientMessageRejected("bad_request", "symbols must be an array of ticker symbols");
            }

            var symbols = list.EnumerateArray().Select(e => e.GetString()!.Trim()).Where(s => s.Length > 0).ToArray();
            return name == "subscribe" ? new SubscribeSymbols(symbols) : new UnsubscribeSymbols(symbols);
        }
        catch (JsonException)
        {
            return new ClientMessageRejected("bad_request", "the message is not valid JSON");
        }
    }

    private static string Truncate(string? s) => s is null ? string.Empty : s.Length > 30 ? s[..30] : s;
}
