using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using ActorQuotes.Actors.Catalog;
using ActorQuotes.Actors.Sessions;
using ActorQuotes.Contracts.Frames;
using ActorQuotes.Contracts.Sessions;
using ActorQuotes.Contracts.Tickers;
using ActorQuotes.Gateway.Hosting;
using ActorQuotes.Gateway.Problems;
using ActorQuotes.Gateway.Streaming;
using Akka.Actor;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Endpoints;

/// <summary>What became of one tick of a batch: <c>accepted</c> with its sequence, or <c>rejected</c> with a reason.</summary>
public sealed record IngestTickResult(
    int Index,
    string TickerSymbol,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Sequence,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason);

public sealed record IngestResponse(int Accepted, int Rejected, IReadOnlyList<IngestTickResult> Results);

/// <summary>
/// The ingest API for external feed adapters, authenticated by a feed key from <c>Feeds:Ingest:ApiKeys</c>
/// (a user token is not enough): <c>POST /api/v1/quotes</c> takes a batch and answers per tick;
/// <c>/api/v1/ws/feed</c> takes a stream of batches and acks each one. Every tick goes to its ticker as an
/// <see cref="IngestTick"/>; the ticker alone decides whether it is accepted.
/// </summary>
public static class IngestEndpoints
{
    public const string FeedKeyHeader = "X-Feed-Key";
    public const int MaxTicksPerBatch = 1000;
    public const long MaxBatchBytes = 1 << 20;
    public const int MaxFeedMessageBytes = 256 * 1024;
    public const int MaxSymbolLength = 20;

    /// <summary>Close code for a feed message over <see cref="MaxFeedMessageBytes"/> (RFC 6455 "message too big").</summary>
    public const int MessageTooBigCloseCode = 1009;

    /// <summary>Reason of a tick whose ticker did not answer in time: it may or may not have been applied; resend it.</summary>
    public const string UnavailableReason = "unavailable";

    private const string Accepted = "accepted";
    private const string Rejected = "rejected";

    private static readonly JsonWriterOptions AckWriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IEndpointRouteBuilder MapIngestEndpoints(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IOptions<IngestOptions>>().Value.Enabled)
        {
            return app;
        }

        app.MapPost("/api/v1/quotes", PostBatch)
            .WithTags("ingest")
            .WithMetadata(new RequestSizeLimitAttribute(MaxBatchBytes));
        app.Map("/api/v1/ws/feed", FeedStream);
        return app;
    }

    private static async Task<Results<Ok<IngestResponse>, ProblemHttpResult>> PostBatch(
        HttpRequest request,
        ActorQuotesRegions regions,
        CompanyCatalog catalog,
        IOptions<IngestOptions> options,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        // The key is checked before the body is read: a caller without one costs no parsing.
        if (!IsFeedKey(SingleValue(request.Headers[FeedKeyHeader]), options.Value))
        {
            return ApiProblems.Unauthorized($"a valid {FeedKeyHeader} header is required");
        }

        if (!request.HasJsonContentType())
        {
            return ApiProblems.Create(StatusCodes.Status415UnsupportedMediaType,
                ApiProblems.CodeForStatus(StatusCodes.Status415UnsupportedMediaType), "Send the ticks as application/json.");
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, cancellationToken);
        }
        catch (JsonException e)
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, ApiProblems.BadRequest, "The request body is not valid JSON.", e.Message);
        }

        using (document)
        {
            var batch = TickBatch.Parse(document.RootElement, allowSingle: false, catalog, clock.GetUtcNow());
            if (batch.Malformed is { } malformed)
            {
                return ApiProblems.Create(StatusCodes.Status400BadRequest, ApiProblems.BadRequest, "The request could not be read.",
                    malformed.Field + " " + malformed.Message);
            }

            if (batch.Invalid is { } invalid)
            {
                return ApiProblems.Validation(invalid);
            }

            var outcomes = await SendAsync(batch.Ticks!, regions.Tickers, regions.AskTimeout, cancellationToken);
            var results = new IngestTickResult[outcomes.Length];
            var accepted = 0;
            for (var i = 0; i < outcomes.Length; i++)
            {
                var outcome = outcomes[i];
                if (outcome.Reason is null)
                {
                    accepted++;
                    results[i] = new IngestTickResult(i, outcome.Symbol, Accepted, outcome.Sequence, null);
                }
                else
                {
                    results[i] = new IngestTickResult(i, outcome.Symbol, Rejected, null, outcome.Reason);
                }
            }

            return TypedResults.Ok(new IngestResponse(accepted, results.Length - accepted, results));
        }
    }

    private static async Task FeedStream(
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

        // A header where the client can set one; the query for those that cannot (it may end up in access logs).
        var key = SingleValue(context.Request.Headers[FeedKeyHeader]) ?? SingleValue(context.Request.Query["key"]);
        // Pings as on the user streams, so a producer that vanished without a close does not hold the socket.
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = streaming.Value.KeepAliveInterval,
            KeepAliveTimeout = streaming.Value.KeepAliveTimeout,
        });
        using var sink = new WebSocketFrameSink(socket);
        var aborted = context.RequestAborted;

        if (!IsFeedKey(key, options.Value))
        {
            await sink.RefuseAsync(CloseCodes.Unauthorized, CloseCodes.UnauthorizedCode,
                $"a valid feed key is required ({FeedKeyHeader} header or ?key=)", aborted);
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
            await ServeFeed(socket, sink, regions.Tickers, regions.AskTimeout, catalog, clock, stop.Token);
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
    private static async Task ServeFeed(
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
                var room = MaxFeedMessageBytes + 1 - message.WrittenCount;
                var memory = message.GetMemory(Math.Min(room, 16 * 1024));
                received = await socket.ReceiveAsync(memory[..Math.Min(room, memory.Length)], cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                message.Advance(received.Count);
                if (message.WrittenCount > MaxFeedMessageBytes)
                {
                    await sink.SendAsync(FrameWriter.ErrorFrame(
                        ApiProblems.CodeForStatus(StatusCodes.Status413PayloadTooLarge),
                        $"a message may hold at most {MaxFeedMessageBytes} bytes"));
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
                var batch = TickBatch.Parse(document.RootElement, allowSingle: true, catalog, clock.GetUtcNow());
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

            var outcomes = await SendAsync(ticks, tickers, askTimeout, cancellationToken);
            ack.ResetWrittenCount();
            WriteAck(ack, outcomes);
            await sink.SendAsync(ack.WrittenMemory);
        }
    }

    /// <summary>Asks every tick's ticker at once and waits for all; a ticker that does not answer in time is <c>unavailable</c>.</summary>
    private static async Task<TickOutcome[]> SendAsync(IngestTick[] ticks, IActorRef tickers, TimeSpan askTimeout, CancellationToken cancellationToken)
    {
        var asks = new Task<object>[ticks.Length];
        for (var i = 0; i < ticks.Length; i++)
        {
            asks[i] = tickers.Ask<object>(ticks[i], askTimeout, cancellationToken);
        }

        var outcomes = new TickOutcome[ticks.Length];
        for (var i = 0; i < ticks.Length; i++)
        {
            try
            {
                outcomes[i] = await asks[i] switch
                {
                    TickAccepted accepted => new TickOutcome(ticks[i].Symbol, accepted.Sequence, null),
                    TickRejected rejected => new TickOutcome(ticks[i].Symbol, 0, ReasonCode(rejected.Reason)),
                    var other => throw new InvalidOperationException($"Unexpected reply {other.GetType().Name} to {nameof(IngestTick)}"),
                };
            }
            catch (AskTimeoutException)
            {
                outcomes[i] = new TickOutcome(ticks[i].Symbol, 0, UnavailableReason);
            }
        }

        return outcomes;
    }

    private static void WriteAck(IBufferWriter<byte> output, TickOutcome[] outcomes)
    {
        using var writer = new Utf8JsonWriter(output, AckWriterOptions);
        var accepted = 0;
        foreach (var outcome in outcomes)
        {
            accepted += outcome.Reason is null ? 1 : 0;
        }

        writer.WriteStartObject();
        writer.WriteString("type"u8, "ack"u8);
        writer.WriteNumber("accepted"u8, accepted);
        writer.WriteStartArray("rejected"u8);
        for (var i = 0; i < outcomes.Length; i++)
        {
            if (outcomes[i].Reason is { } reason)
            {
                writer.WriteStartObject();
                writer.WriteNumber("index"u8, i);
                writer.WriteString("reason"u8, reason);
                writer.WriteEndObject();
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>The wire name of a rejection: <c>not_finite</c>, <c>not_positive</c>, <c>unknown_symbol</c>, …</summary>
    public static string ReasonCode(TickRejection reason) => reason switch
    {
        TickRejection.NotFinite => "not_finite",
        TickRejection.NotPositive => "not_positive",
        TickRejection.UnknownSymbol => "unknown_symbol",
        TickRejection.OutOfOrder => "out_of_order",
        TickRejection.OutsideBand => "outside_band",
        TickRejection.FutureTimestamp => "future_timestamp",
        _ => JsonNamingPolicy.SnakeCaseLower.ConvertName(reason.ToString()),
    };

    /// <summary>
    /// True when <paramref name="presented"/> is one of the configured keys. Both sides are hashed first, so
    /// the comparison takes the same time whatever the key's length and wherever it differs.
    /// </summary>
    private static bool IsFeedKey(string? presented, IngestOptions options)
    {
        if (string.IsNullOrEmpty(presented) || options.ApiKeys.Length == 0)
        {
            return false;
        }

        Span<byte> given = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), given);
        var match = false;
        foreach (var key in options.ApiKeys)
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(key), expected);
            match |= CryptographicOperations.FixedTimeEquals(given, expected);
        }

        return match;
    }

    private static string? SingleValue(Microsoft.Extensions.Primitives.StringValues values) => values.Count == 1 ? values[0] : null;


    /// <summary>One tick's fate: <see cref="Reason"/> null means accepted with <see cref="Sequence"/>.</summary>
    private readonly record struct TickOutcome(string Symbol, long Sequence, string? Reason);

    /// <summary>A field that cannot be read at all (wrong JSON type): the whole batch is a bad request.</summary>
    private sealed record FieldProblem(string Field, string Message);

    /// <summary>
    /// A batch read from JSON, all or nothing: the ticks, or why none will be sent. Symbols come out in the
    /// catalog's spelling, which the per-tick results then echo.
    /// </summary>
    private sealed record TickBatch(IngestTick[]? Ticks, FieldProblem? Malformed, Dictionary<string, string[]>? Invalid)
    {
        /// <summary>Validation errors reported at most, so a batch of 1,000 bad ticks does not answer 1,000 lines.</summary>
        private const int MaxErrors = 20;

        /// <summary>The index of a tick sent alone, not in an array.</summary>
        private const int SingleTick = -1;

        private static readonly string[] OffsetFormats = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz"];
        private static readonly string[] UtcFormats = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"];

        public static TickBatch Parse(JsonElement root, bool allowSingle, CompanyCatalog catalog, DateTimeOffset now)
        {
            if (allowSingle && root.ValueKind == JsonValueKind.Object)
            {
                var errors = new Dictionary<string, string[]>();
                var single = ParseTick(root, SingleTick, catalog, now, errors, out var malformed);
                return malformed is not null ? new TickBatch(null, malformed, null)
                    : errors.Count > 0 ? new TickBatch(null, null, errors)
                    : new TickBatch([single!], null, null);
            }

            if (root.ValueKind != JsonValueKind.Array)
            {
                return new TickBatch(null, new FieldProblem("$", allowSingle ? "must be a tick object or an array of ticks" : "must be an array of ticks"), null);
            }

            var count = root.GetArrayLength();
            if (count > MaxTicksPerBatch)
            {
                return new TickBatch(null, null, new Dictionary<string, string[]>
                {
                    ["$"] = [$"at most {MaxTicksPerBatch} ticks per batch, got {count}"],
                });
            }

            var ticks = new IngestTick[count];
            var invalid = new Dictionary<string, string[]>();
            var index = 0;
            foreach (var element in root.EnumerateArray())
            {
                var tick = ParseTick(element, index, catalog, now, invalid, out var malformed);
                if (malformed is not null)
                {
                    return new TickBatch(null, malformed, null);
                }

                if (tick is not null)
                {
                    ticks[index] = tick;
                }

                index++;
            }

            return invalid.Count > 0 ? new TickBatch(null, null, invalid) : new TickBatch(ticks, null, null);
        }

        /// <summary>What is wrong, in one line for an error frame (the first three fields at most).</summary>
        public string Describe() =>
            Malformed is { } m ? m.Field + " " + m.Message
            : Invalid is { Count: > 0 } invalid ? string.Join("; ", invalid.Take(3).Select(e => e.Key + " " + e.Value[0]))
            : "the message holds no ticks";

        private static IngestTick? ParseTick(
            JsonElement element,
            int index,
            CompanyCatalog catalog,
            DateTimeOffset now,
            Dictionary<string, string[]> errors,
            out FieldProblem? malformed)
        {
            malformed = null;
            if (element.ValueKind != JsonValueKind.Object)
            {
                malformed = new FieldProblem(FieldPath(index, null), "must be a tick object");
                return null;
            }

            var valid = true;

            string? symbol = null;
            if (!element.TryGetProperty("ticker_symbol"u8, out var symbolElement) || symbolElement.ValueKind == JsonValueKind.Null)
            {
                valid = AddError(errors, FieldPath(index, "ticker_symbol"), "is required");
            }
            else if (symbolElement.ValueKind != JsonValueKind.String)
            {
                malformed = new FieldProblem(FieldPath(index, "ticker_symbol"), "must be a string");
                return null;
            }
            else
            {
                symbol = symbolElement.GetString()!.Trim();
                if (symbol.Length is 0 or > MaxSymbolLength)
                {
                    valid = AddError(errors, FieldPath(index, "ticker_symbol"), $"must be 1 to {MaxSymbolLength} characters");
                }
            }

            var price = 0.0;
            if (!element.TryGetProperty("price"u8, out var priceElement) || priceElement.ValueKind == JsonValueKind.Null)
            {
                valid = AddError(errors, FieldPath(index, "price"), "is required");
            }
            else if (priceElement.ValueKind != JsonValueKind.Number || !priceElement.TryGetDouble(out price))
            {
                malformed = new FieldProblem(FieldPath(index, "price"), "must be a number");
                return null;
            }

            long volume = 0;
            if (element.TryGetProperty("volume"u8, out var volumeElement) && volumeElement.ValueKind != JsonValueKind.Null)
            {
                if (volumeElement.ValueKind != JsonValueKind.Number)
                {
                    malformed = new FieldProblem(FieldPath(index, "volume"), "must be a number");
                    return null;
                }

                if (!volumeElement.TryGetInt64(out volume) || volume < 0)
                {
                    valid = AddError(errors, FieldPath(index, "volume"), "must be a whole number of 0 or more");
                }
            }

            var timestamp = now;
            if (element.TryGetProperty("timestamp"u8, out var timeElement) && timeElement.ValueKind != JsonValueKind.Null)
            {
                if (timeElement.ValueKind != JsonValueKind.String)
                {
                    malformed = new FieldProblem(FieldPath(index, "timestamp"), "must be a string");
                    return null;
                }

                if (!TryParseTimestamp(timeElement.GetString()!, out timestamp))
                {
                    valid = AddError(errors, FieldPath(index, "timestamp"), "must be ISO 8601 with an offset, e.g. 2026-11-29T01:00:00Z");
                }
            }

            if (!valid)
            {
                return null;
            }

            var canonical = catalog.Find(symbol)?.TickerSymbol ?? symbol!.ToUpperInvariant();
            return new IngestTick(canonical, price, volume, timestamp);
        }

        /// <summary>
        /// The JSON path of a field, <c>$[3].price</c> (or <c>$.price</c> for a single tick), built only when
        /// something is wrong with it.
        /// </summary>
        private static string FieldPath(int index, string? field) =>
            (index == SingleTick ? "$" : "$[" + index.ToString(CultureInfo.InvariantCulture) + "]")
            + (field is null ? string.Empty : "." + field);

        /// <summary>Records a validation error (up to <see cref="MaxErrors"/>); always returns false.</summary>
        private static bool AddError(Dictionary<string, string[]> errors, string field, string message)
        {
            if (errors.Count < MaxErrors)
            {
                errors[field] = [message];
            }

            return false;
        }

        // An offset is required: a bare local time would mean something different on every server.
        private static bool TryParseTimestamp(string text, out DateTimeOffset timestamp) =>
            DateTimeOffset.TryParseExact(text, OffsetFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out timestamp)
            || DateTimeOffset.TryParseExact(text, UtcFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out timestamp);
    }
}
