using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ActorQuotes.Bench.Baselines;

/// <summary>One tick read from an ingest message: the catalog index of its symbol (-1 if unknown).</summary>
internal readonly record struct IngestedTick(int Index, string Symbol, double Price, long Volume, DateTime Timestamp);

/// <summary>
/// The SUT's ingest contract for the baselines: <c>POST /api/v1/quotes</c> (array, per-tick results) and
/// the feed WebSocket <c>/api/v1/ws/feed</c> (tick or array per message, one ack per message, the next
/// message read only after the ack). Accepted quotes go to <c>publish</c> before the ack.
/// </summary>
internal static class Ingest
{
    public const string FeedKeyHeader = "X-Feed-Key";
    private const int MaxMessageBytes = 256 * 1024;

    public delegate ValueTask Publish(List<BaselineQuote> quotes);

    public static void MapIngest(this WebApplication app, TickBook book, Publish publish)
    {
        var keys = app.Configuration.GetSection("Feeds:Ingest:ApiKeys").Get<string[]>() ?? [];

        app.MapPost("/api/v1/quotes", async (HttpContext context) =>
        {
            if (!IsKey(context.Request.Headers[FeedKeyHeader].ToString(), keys))
            {
                return Results.Problem(statusCode: 401, title: "unauthorized");
            }

            using var document = await JsonDocument.ParseAsync(context.Request.Body);
            if (!TryParse(document.RootElement, book.Catalog, out var ticks, out var error))
            {
                return Results.Problem(statusCode: 400, title: "bad_request", detail: error);
            }

            var quotes = new List<BaselineQuote>(ticks.Count);
            var results = new List<object>(ticks.Count);
            var accepted = 0;
            for (var i = 0; i < ticks.Count; i++)
            {
                var t = ticks[i];
                if (book.Apply(t.Index, t.Price, t.Volume, t.Timestamp, out var reason) is { } quote)
                {
                    quotes.Add(quote);
                    accepted++;
                    results.Add(new { index = i, ticker_symbol = quote.Symbol, status = "accepted", sequence = quote.Sequence });
                }
                else
                {
                    results.Add(new { index = i, ticker_symbol = t.Symbol, status = "rejected", reason });
                }
            }

            await publish(quotes);
            return Results.Json(new { accepted, rejected = ticks.Count - accepted, results });
        });

        app.Map("/api/v1/ws/feed", async (HttpContext context) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }

            var key = context.Request.Headers[FeedKeyHeader].ToString();
            if (string.IsNullOrEmpty(key))
            {
                key = context.Request.Query["key"].ToString();
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            if (!IsKey(key, keys))
            {
                await socket.SendAsync(QuoteJson.Error("unauthorized", "a valid feed key is required"), WebSocketMessageType.Text, true, default);
                await socket.CloseAsync((WebSocketCloseStatus)4401, "unauthorized", default);
                return;
            }

            await ServeFeed(socket, book, publish, context.RequestAborted);
        });
    }

    private static async Task ServeFeed(WebSocket socket, TickBook book, Publish publish, CancellationToken cancellationToken)
    {
        var message = new ArrayBufferWriter<byte>(16 * 1024);
        var ack = new ArrayBufferWriter<byte>(256);
        var quotes = new List<BaselineQuote>(1000);
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                message.ResetWrittenCount();
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(message.GetMemory(16 * 1024), cancellationToken);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", default);
                        return;
                    }

                    message.Advance(received.Count);
                    if (message.WrittenCount > MaxMessageBytes)
                    {
                        await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, "message too big", default);
                        return;
                    }
                }
                while (!received.EndOfMessage);

                List<IngestedTick> ticks;
                string? error;
                try
                {
                    using var document = JsonDocument.Parse(message.WrittenMemory);
                    TryParse(document.RootElement, book.Catalog, out ticks, out error);
                }
                catch (JsonException e)
                {
                    ticks = [];
                    error = "not valid JSON: " + e.Message;
                }

                if (error is not null)
                {
                    await socket.SendAsync(QuoteJson.Error("bad_request", error), WebSocketMessageType.Text, true, cancellationToken);
                    continue;
                }

                quotes.Clear();
                ack.ResetWrittenCount();
                using (var writer = new Utf8JsonWriter(ack, QuoteJson.WriterOptions))
                {
                    var accepted = 0;
                    writer.WriteStartObject();
                    writer.WriteString("type"u8, "ack"u8);
                    writer.WriteStartArray("rejected"u8);
                    for (var i = 0; i < ticks.Count; i++)
                    {
                        var t = ticks[i];
                        if (book.Apply(t.Index, t.Price, t.Volume, t.Timestamp, out var reason) is { } quote)
                        {
                            quotes.Add(quote);
                            accepted++;
                        }
                        else
                        {
                            writer.WriteStartObject();
                            writer.WriteNumber("index"u8, i);
                            writer.WriteString("reason"u8, reason);
                            writer.WriteEndObject();
                        }
                    }

                    writer.WriteEndArray();
                    writer.WriteNumber("accepted"u8, accepted);
                    writer.WriteEndObject();
                }

                await publish(quotes);
                await socket.SendAsync(ack.WrittenMemory, WebSocketMessageType.Text, true, cancellationToken);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The producer left.
        }
    }

    /// <summary>Reads a tick or an array of ticks; all or nothing, as the SUT does.</summary>
    public static bool TryParse(JsonElement root, BaselineCatalog catalog, out List<IngestedTick> ticks, out string? error)
    {
        ticks = [];
        error = null;
        if (root.ValueKind == JsonValueKind.Object)
        {
            return TryAdd(root, catalog, ticks, out error);
        }

        if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() > 1000)
        {
            error = "must be a tick object or an array of at most 1000 ticks";
            return false;
        }

        ticks.Capacity = root.GetArrayLength();
        foreach (var element in root.EnumerateArray())
        {
            if (!TryAdd(element, catalog, ticks, out error))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryAdd(JsonElement element, BaselineCatalog catalog, List<IngestedTick> ticks, out string? error)
    {
        error = null;
        if (element.ValueKind != JsonValueKind.Object
            || !element.TryGetProperty("ticker_symbol"u8, out var symbolElement) || symbolElement.ValueKind != JsonValueKind.String
            || !element.TryGetProperty("price"u8, out var priceElement) || !priceElement.TryGetDouble(out var price))
        {
            error = "a tick needs ticker_symbol (string) and price (number)";
            return false;
        }

        long volume = 0;
        if (element.TryGetProperty("volume"u8, out var volumeElement) && !volumeElement.TryGetInt64(out volume))
        {
            error = "volume must be a whole number";
            return false;
        }

        var timestamp = DateTime.UtcNow;
        if (element.TryGetProperty("timestamp"u8, out var timeElement))
        {
            if (timeElement.ValueKind != JsonValueKind.String
                || !DateTimeOffset.TryParse(timeElement.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                error = "timestamp must be ISO 8601 with an offset";
                return false;
            }

            timestamp = parsed.UtcDateTime;
        }

        var symbol = symbolElement.GetString()!.Trim();
        var index = catalog.IndexOf(symbol);
        ticks.Add(new IngestedTick(index, index >= 0 ? catalog.Symbols[index] : symbol.ToUpperInvariant(), price, volume, timestamp));
        return true;
    }

    private static bool IsKey(string presented, string[] keys)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        var given = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var match = false;
        foreach (var key in keys)
        {
            match |= CryptographicOperations.FixedTimeEquals(given, SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        }

        return match;
    }
}
