using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using ActorQuotes.Actors.Catalog;
using ActorQuotes.Actors.Sessions;
using ActorQuotes.Contracts.Frames;
using ActorQuotes.Contracts.Sessions;
using ActorQuotes.Contracts.Tickers;
using ActorQuotes.Gateway.Hosting;
using ActorQuotes.Gateway.Problems;
using ActorQuotes.Gateway.Streaming;
using Akka.Actor;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Ingest;

/// <summary>
/// <c>/api/v1/ws/feed</c>: a producer's stream of tick batches (or single ticks), each message acked with
/// <see cref="FeedAck"/> once its ticks have been answered.
/// </summary>
public static class FeedSocket
{
    public const int MaxMessageBytes = 256 * 1024;

    /// <summary>Close code for a feed message over <see cref="MaxMessageBytes"/> (RFC 6455 "message too big").</summary>
    public const int MessageTooBigCloseCode = 1009;

    public static async Task AcceptAsync(
        HttpContext context,
        ActorQuotesRegions regions,
        CompanyCatalog catalog,
        IOptions<IngestOptions> options,
        IOptions<StreamingOptions> streaming,
        TimeProvider clock,
        IHostApplicationLifetime lifetime)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await ApiProblems.Create(StatusCodes.Status400BadRequest, "websocket_required",
                "This endpoint speaks WebSocket only.").ExecuteAsync(context);
            return;
        }

        var key = FeedKey.FromHeaderOrQuery(context.Request);
        // Pings as on the user streams, so a producer that vanished without a close does not hold the socket.
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = streaming.Value.KeepAliveInterval,
            KeepAliveTimeout = streaming.Value.KeepAliveTimeout,
        });
        using var sink = new WebSocketFrameSink(socket);
        var aborted = context.RequestAborted;

        if (!FeedKey.IsValid(key, options.Value))
        {
            await sink.RefuseAsync(CloseCodes.Unauthorized, CloseCodes.UnauthorizedCode,
                $"a valid feed key is required ({FeedKey.HeaderName} header or ?key=)", aborted);
            return;
        }

        // On shutdown the producer is told to reconnect elsewhere (1012); if it does not answer our close, stop reading.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        using var drain = lifetime.ApplicationStopping.Register(() =>
        {
            _ = sink.CloseAsync(CloseCodes.ServiceRestart, "server shutting down");
            stop.CancelAfter(WebSocketFrameSink.CloseHandshakeTimeout);
        });

        try
        {
            await ServeAsync(socket, sink, regions.Tickers, regions.AskTimeout, catalog, clock, stop.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The producer vanished, or we closed the socket while a batch was in flight.
        }

        await sink.ReceiveUntilClosedAsync(aborted);
        await sink.CompleteAsync((int)WebSocketCloseStatus.NormalClosure, "bye");
    }

    /// <summary>
    /// One message at a time: the next is not read before this one is acked, so a fast producer waits in
    /// TCP instead of piling up asks. Returns when the client closes, or after closing a too-big message.
    /// </summary>
    private static async Task ServeAsync(
        WebSocket socket,
        WebSocketFrameSink sink,
        IActorRef tickers,
        TimeSpan askTimeout,
        CompanyCatalog catalog,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var message = new ArrayBufferWriter<byte>(16 * 1024);
        var ack = new ArrayBufferWriter<byte>(256);
        while (socket.State == WebSocketState.Open)
        {
            message.ResetWrittenCount();
            ValueWebSocketReceiveResult received;
            do
            {
                // Never hold more than one byte past the limit: enough to know the message is too big.
                var room = MaxMessageBytes + 1 - message.WrittenCount;
                var memory = message.GetMemory(Math.Min(room, 16 * 1024));
                received = await socket.ReceiveAsync(memory[..Math.Min(room, memory.Length)], cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                message.Advance(received.Count);
                if (message.WrittenCount > MaxMessageBytes)
                {
                    await sink.SendAsync(FrameWriter.ErrorFrame(
                        ApiProblems.CodeForStatus(StatusCodes.Status413PayloadTooLarge),
                        $"a message may hold at most {MaxMessageBytes} bytes"));
                    await sink.CloseAsync(MessageTooBigCloseCode, "message too big");
                    return;
                }
            }
            while (!received.EndOfMessage);

            if (received.MessageType != WebSocketMessageType.Text)
            {
                await sink.SendAsync(FrameWriter.ErrorFrame(ApiProblems.BadRequest, "send ticks as text messages"));
                continue;
            }

            IngestTick[] ticks;
            try
            {
                using var document = JsonDocument.Parse(message.WrittenMemory);
                var batch = TickBatchParser.Parse(document.RootElement, allowSingle: true, catalog, clock.GetUtcNow());
                if (batch.Ticks is null)
                {
                    await sink.SendAsync(FrameWriter.ErrorFrame(ApiProblems.BadRequest, batch.Describe()));
                    continue;
                }

                ticks = batch.Ticks;
            }
            catch (JsonException e)
            {
                await sink.SendAsync(FrameWriter.ErrorFrame(ApiProblems.BadRequest, "not valid JSON: " + e.Message));
                continue;
            }

            var outcomes = await TickSender.SendAsync(ticks, tickers, askTimeout, cancellationToken);
            ack.ResetWrittenCount();
            FeedAck.Write(ack, outcomes);
            await sink.SendAsync(ack.WrittenMemory);
        }
    }
}
