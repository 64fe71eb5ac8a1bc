using System.Globalization;
using System.Text.Json;
using ActorQuotes.Actors.Catalog;
using ActorQuotes.Contracts.Tickers;

namespace ActorQuotes.Gateway.Ingest;

/// <summary>A field that cannot be read at all (wrong JSON type): the whole batch is a bad request.</summary>
public sealed record FieldProblem(string Field, string Message);

/// <summary>
/// A batch read from JSON, all or nothing: the ticks, or why none will be sent. Symbols come out in the
/// catalog's spelling, which the per-tick results then echo.
/// </summary>
public sealed record TickBatch(IngestTick[]? Ticks, FieldProblem? Malformed, Dictionary<string, string[]>? Invalid)
{
    /// <summary>What is wrong, in one line for an error frame (the first three fields at most).</summary>
    public string Describe() =>
        Malformed is { } m ? m.Field + " " + m.Message
        : Invalid is { Count: > 0 } invalid ? string.Join("; ", invalid.Take(3).Select(e => e.Key + " " + e.Value[0]))
        : "the message holds no ticks";
}

/// <summary>
/// Reads ingested ticks from JSON (<c>ticker_symbol</c>, <c>price</c>, optional <c>volume</c> and
/// <c>timestamp</c>) for both the REST batch and the feed socket. Pure: the catalog and the time come in.
/// </summary>
public static class TickBatchParser
{
    public const int MaxTicksPerBatch = 1000;
    public const int MaxSymbolLength = 20;

    /// <summary>Validation errors reported at most, so a batch of 1,000 bad ticks does not answer 1,000 lines.</summary>
    public const int MaxErrors = 20;

    /// <summary>The index of a tick sent alone, not in an array.</summary>
    private const int SingleTick = -1;

    /// <summary>
    /// An array of ticks (or, with <paramref name="allowSingle"/>, one tick object). A tick without a
    /// <c>timestamp</c> is dated <paramref name="now"/>.
    /// </summary>
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

            if (!TickTimestamp.TryParse(timeElement.GetString()!, out timestamp))
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
}
