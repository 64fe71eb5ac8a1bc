using System.Globalization;
using System.Text;
using System.Text.Json;
using ActorQuotes.Actors.Catalog;
using ActorQuotes.Contracts.Tickers;
using ActorQuotes.Gateway.Ingest;

namespace ActorQuotes.Gateway.Tests.Ingest;

/// <summary>The ingest parser as a pure function: JSON in, ticks or the reason for refusing them out. No server.</summary>
public sealed class TickBatchParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 1, 0, 0, TimeSpan.Zero);

    private static readonly CompanyCatalog Catalog = new(
    [
        new Company(1, "AAPL", "Apple Inc.", "NASDAQ", "USD", 271.5),
        new Company(2, "7203", "Toyota Motor", "TSE", "JPY", 2600),
    ]);

    [Fact(DisplayName = "A full tick comes out with the catalog's spelling of its symbol, its price, volume and timestamp with offset")]
    public void Valid_tick()
    {
        var batch = Parse("""[{"ticker_symbol":" aapl ","price":271.25,"volume":10,"timestamp":"2026-11-29T10:00:00.1234567+09:00"}]""");

        Assert.Null(batch.Malformed);
        Assert.Null(batch.Invalid);
        var tick = Assert.Single(batch.Ticks!);
        Assert.Equal(new IngestTick("AAPL", 271.25, 10, new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.FromHours(9)).AddTicks(1234567)), tick);
        Assert.Equal(TimeSpan.FromHours(9), tick.Timestamp.Offset);
    }

    [Theory(DisplayName = "A missing or null volume is 0 and a missing or null timestamp is now; a Z timestamp is UTC")]
    [InlineData("""{"ticker_symbol":"7203","price":2601.5}""", 0L, null)]
    [InlineData("""{"ticker_symbol":"7203","price":2601.5,"volume":null,"timestamp":null}""", 0L, null)]
    [InlineData("""{"ticker_symbol":"7203","price":2601.5,"volume":0,"timestamp":"2026-11-28T23:59:59Z"}""", 0L, "2026-11-28T23:59:59+00:00")]
    [InlineData("""{"ticker_symbol":"7203","price":2601.5,"volume":9007199254740993,"timestamp":"2026-11-28T23:59:59.5Z"}""", 9007199254740993L, "2026-11-28T23:59:59.5000000+00:00")]
    public void Defaults(string json, long volume, string? timestamp)
    {
        var tick = Assert.Single(Parse("[" + json + "]").Ticks!);

        var expected = timestamp is null ? Now : DateTimeOffset.Parse(timestamp, CultureInfo.InvariantCulture);
        Assert.Equal(new IngestTick("7203", 2601.5, volume, expected), tick);
        Assert.Equal(expected.Offset, tick.Timestamp.Offset);
    }

    [Fact(DisplayName = "A symbol the catalog does not know is passed on upper-cased, for its ticker to refuse as unknown_symbol")]
    public void Unknown_symbol_is_upper_cased()
    {
        Assert.Equal("NOPE.X", Assert.Single(Parse("""[{"ticker_symbol":"nope.x","price":1}]""").Ticks!).Symbol);
    }

    [Fact(DisplayName = "A single tick object is a batch of one on the feed socket, and a bad request on the REST batch")]
    public void Single_tick_only_where_allowed()
    {
        const string json = """{"ticker_symbol":"AAPL","price":271.5}""";

        Assert.Equal([new IngestTick("AAPL", 271.5, 0, Now)], Parse(json, allowSingle: true).Ticks!);
        Assert.Equal(new FieldProblem("$", "must be an array of ticks"), Parse(json).Malformed);
        Assert.Equal(new FieldProblem("$", "must be a tick object or an array of ticks"), Parse("42", allowSingle: true).Malformed);
        Assert.Equal(new FieldProblem("$", "must be an array of ticks"), Parse("\"[]\"").Malformed);
    }

    [Fact(DisplayName = "An empty array is a batch of no ticks")]
    public void Empty_batch()
    {
        var batch = Parse("[]");

        Assert.Empty(batch.Ticks!);
        Assert.Equal("the message holds no ticks", batch.Describe());
    }

    [Theory(DisplayName = "A field of the wrong JSON type makes the whole batch malformed, named by its path")]
    [InlineData("1", "$[1]", "must be a tick object")]
    [InlineData("""{"ticker_symbol":7203,"price":1}""", "$[1].ticker_symbol", "must be a string")]
    [InlineData("""{"ticker_symbol":"7203","price":"2601"}""", "$[1].price", "must be a number")]
    [InlineData("""{"ticker_symbol":"7203","price":1,"volume":"5"}""", "$[1].volume", "must be a number")]
    [InlineData("""{"ticker_symbol":"7203","price":1,"timestamp":12}""", "$[1].timestamp", "must be a string")]
    public void Wrong_type_is_malformed(string badTick, string field, string message)
    {
        var batch = Parse("""[{"ticker_symbol":"7203","price":1},""" + badTick + "]");

        Assert.Equal(new FieldProblem(field, message), batch.Malformed);
        Assert.Null(batch.Ticks);
        Assert.Null(batch.Invalid);
        Assert.Equal(field + " " + message, batch.Describe());
    }

    [Fact(DisplayName = "A malformed tick outranks validation errors before it, and a single tick's path has no index")]
    public void Malformed_outranks_invalid()
    {
        var batch = Parse("""[{"price":1},{"ticker_symbol":"7203","price":true}]""");
        Assert.Equal(new FieldProblem("$[1].price", "must be a number"), batch.Malformed);
        Assert.Null(batch.Invalid);

        Assert.Equal(new FieldProblem("$.price", "must be a number"), Parse("""{"ticker_symbol":"7203","price":[]}""", allowSingle: true).Malformed);
    }

    [Theory(DisplayName = "A missing or out-of-range value fails validation with the field's path and message, and no tick is sent")]
    [InlineData("""{"price":1}""", "$[1].ticker_symbol", "is required")]
    [InlineData("""{"ticker_symbol":null,"price":1}""", "$[1].ticker_symbol", "is required")]
    [InlineData("""{"ticker_symbol":"   ","price":1}""", "$[1].ticker_symbol", "must be 1 to 20 characters")]
    [InlineData("""{"ticker_symbol":"ABCDEFGHIJKLMNOPQRSTU","price":1}""", "$[1].ticker_symbol", "must be 1 to 20 characters")]
    [InlineData("""{"ticker_symbol":"7203"}""", "$[1].price", "is required")]
    [InlineData("""{"ticker_symbol":"7203","price":null}""", "$[1].price", "is required")]
    [InlineData("""{"ticker_symbol":"7203","price":1,"volume":-1}""", "$[1].volume", "must be a whole number of 0 or more")]
    [InlineData("""{"ticker_symbol":"7203","price":1,"volume":1.5}""", "$[1].volume", "must be a whole number of 0 or more")]
    [InlineData("""{"ticker_symbol":"7203","price":1,"timestamp":"2026-11-29T01:00:00"}""", "$[1].timestamp", "must be ISO 8601 with an offset, e.g. 2026-11-29T01:00:00Z")]
    [InlineData("""{"ticker_symbol":"7203","price":1,"timestamp":"2026-11-29 01:00:00Z"}""", "$[1].timestamp", "must be ISO 8601 with an offset, e.g. 2026-11-29T01:00:00Z")]
    [InlineData("""{"ticker_symbol":"7203","price":1,"timestamp":"1764378000"}""", "$[1].timestamp", "must be ISO 8601 with an offset, e.g. 2026-11-29T01:00:00Z")]
    public void Out_of_range_is_invalid(string badTick, string field, string message)
    {
        var batch = Parse("""[{"ticker_symbol":"7203","price":1},""" + badTick + "]");

        Assert.Null(batch.Ticks);
        Assert.Null(batch.Malformed);
        Assert.Equal([KeyValuePair.Create(field, new[] { message })], batch.Invalid!);
    }

    [Fact(DisplayName = "Price is read as given: zero, negative, tiny and too-large prices pass the parser (the ticker refuses them as not_positive or not_finite)")]
    public void Price_is_not_judged_here()
    {
        var ticks = Parse("""
            [{"ticker_symbol":"7203","price":0},{"ticker_symbol":"7203","price":-5},
             {"ticker_symbol":"7203","price":5e-324},{"ticker_symbol":"7203","price":1e400}]
            """).Ticks!;

        Assert.Equal([0.0, -5.0, 5e-324, double.PositiveInfinity], ticks.Select(t => t.Price));
    }

    [Fact(DisplayName = "A symbol of exactly 20 characters is accepted")]
    public void Twenty_character_symbol()
    {
        Assert.Equal("ABCDEFGHIJKLMNOPQRST", Assert.Single(Parse("""[{"ticker_symbol":"abcdefghijklmnopqrst","price":1}]""").Ticks!).Symbol);
    }

    [Fact(DisplayName = "1,000 ticks are one batch; 1,001 fail on the count alone")]
    public void Batch_limit()
    {
        Assert.Equal(1000, Parse(Ticks(1000)).Ticks!.Length);

        var over = Parse(Ticks(1001));
        Assert.Null(over.Ticks);
        Assert.Equal([KeyValuePair.Create("$", new[] { "at most 1000 ticks per batch, got 1001" })], over.Invalid!);
    }

    [Fact(DisplayName = "Validation errors stop at 20 fields, and an error frame names the first three")]
    public void Error_limit()
    {
        var batch = Parse("[" + string.Join(",", Enumerable.Repeat("""{"ticker_symbol":"7203"}""", 25)) + "]");

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"$[{i}].price"), batch.Invalid!.Keys);
        Assert.Equal("$[0].price is required; $[1].price is required; $[2].price is required", batch.Describe());
    }

    [Fact(DisplayName = "Two problems in one tick are both reported")]
    public void Every_field_is_checked()
    {
        var batch = Parse("""[{"ticker_symbol":"","volume":-2,"timestamp":"yesterday"}]""");

        Assert.Equal(
            [
                KeyValuePair.Create("$[0].ticker_symbol", new[] { "must be 1 to 20 characters" }),
                KeyValuePair.Create("$[0].price", new[] { "is required" }),
                KeyValuePair.Create("$[0].volume", new[] { "must be a whole number of 0 or more" }),
                KeyValuePair.Create("$[0].timestamp", new[] { "must be ISO 8601 with an offset, e.g. 2026-11-29T01:00:00Z" }),
            ],
            batch.Invalid!);
    }

    private static TickBatch Parse(string json, bool allowSingle = false)
    {
        using var document = JsonDocument.Parse(json);
        return TickBatchParser.Parse(document.RootElement, allowSingle, Catalog, Now);
    }

    private static string Ticks(int count)
    {
        var json = new StringBuilder("[");
        for (var i = 0; i < count; i++)
        {
            json.Append(i == 0 ? "" : ",").Append("""{"ticker_symbol":"7203","price":2601}""");
        }

        return json.Append(']').ToString();
    }
}
