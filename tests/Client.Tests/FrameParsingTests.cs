using System.Buffers;
using System.Text;
using System.Text.Json;
using ActorQuotes.Contracts.Frames;
using ActorQuotes.Contracts.Sessions;
using ActorQuotes.Contracts.Tickers;

namespace ActorQuotes.Client.Tests;

/// <summary>The client reads exactly what the server's <see cref="FrameWriter"/> writes.</summary>
public sealed class FrameParsingTests
{
    [Fact(DisplayName = "A price_update written by the server reads into a PriceUpdate with every field, its timestamp as UTC")]
    public void Price_update()
    {
        StockFrameRow[] rows =
        [
            StockFrameRow.Compute(1, "7203", "トヨタ自動車株式会社", 2650.0, 2600.0, 100, 2500),
            StockFrameRow.Compute(31, "AAPL", "Apple Inc.", 270.5, 270.0, 10, 250.5),
        ];
        var buffer = new ArrayBufferWriter<byte>();
        FrameWriter.WritePriceUpdate(buffer, 42, rows, new DateTimeOffset(2025, 11, 9, 16, 0, 0, TimeSpan.Zero), 7,
            PortfolioTotals.Of(rows), ["6758"]);

        var frame = Assert.IsType<PriceUpdate>(StreamFrames.Parse(buffer.WrittenSpan, out var sequence));

        Assert.Equal(7, sequence);
        Assert.Equal(7, frame.Sequence);
        Assert.Equal(42, frame.WatchlistId);
        Assert.Equal(new DateTimeOffset(2025, 11, 9, 16, 0, 0, TimeSpan.Zero), frame.Timestamp);
        Assert.Equal(TimeSpan.Zero, frame.Timestamp.Offset);
        Assert.Equal(
            new StockRow
            {
                CompanyId = 1, TickerSymbol = "7203", CompanyName = "トヨタ自動車株式会社", CurrentPrice = 2650.0, Change = 50.0,
                ChangePercent = 1.92, Quantity = 100, PurchasePrice = 2500, UnrealizedPl = 15000.0,
            },
            frame.Stocks[0]);
        Assert.Equal(("AAPL", 31L, 200.0), (frame.Stocks[1].TickerSymbol, frame.Stocks[1].CompanyId, frame.Stocks[1].UnrealizedPl));
        Assert.Equal(new Totals { MarketValue = 267705.0, Cost = 252505.0, UnrealizedPl = 15200.0, DayChange = 5005.0 }, frame.Totals);
        Assert.Equal(["6758"], frame.Removed);
    }

    [Fact(DisplayName = "A full-mode price_update has no removed list, which reads as empty")]
    public void Price_update_without_removed()
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameWriter.WritePriceUpdate(buffer, 1, ReadOnlySpan<StockFrameRow>.Empty, DateTimeOffset.UnixEpoch, 1, default);

        var frame = Assert.IsType<PriceUpdate>(StreamFrames.Parse(buffer.WrittenSpan));

        Assert.Empty(frame.Removed);
        Assert.Empty(frame.Stocks);
    }

    [Fact(DisplayName = "A quote frame written by the server reads into a QuoteUpdate with the day fields and the quote's own sequence")]
    public void Quote()
    {
        var quote = new Quote("7974", 13000.0, 12500.0, new DateTimeOffset(2026, 11, 29, 1, 0, 0, 250, TimeSpan.Zero), 99)
        {
            Open = 12600.0, DayHigh = 13100.0, DayLow = 12550.0, Volume = 4200,
        };
        var buffer = new ArrayBufferWriter<byte>();
        FrameWriter.WriteQuote(buffer, 12, FrameWriter.QuoteTail(quote));

        var frame = Assert.IsType<QuoteUpdate>(StreamFrames.Parse(buffer.WrittenSpan));

        Assert.Equal(
            new QuoteUpdate
            {
                Sequence = 12, TickerSymbol = "7974", Price = 13000.0, PreviousClose = 12500.0, Change = 500.0, ChangePercent = 4.0,
                Open = 12600.0, DayHigh = 13100.0, DayLow = 12550.0, Volume = 4200,
                Timestamp = new DateTimeOffset(2026, 11, 29, 1, 0, 0, 250, TimeSpan.Zero), QuoteSequence = 99,
            },
            frame);
    }

    [Fact(DisplayName = "Subscribed, heartbeat and error frames written by the server read into their records")]
    public void Subscribed_heartbeat_error()
    {
        var subscribed = new ArrayBufferWriter<byte>();
        FrameWriter.WriteSubscribed(subscribed, 1, ["7974", "AAPL"]);
        var heartbeat = new ArrayBufferWriter<byte>();
        FrameWriter.WriteHeartbeat(heartbeat, 3, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));

        var s = Assert.IsType<Subscribed>(StreamFrames.Parse(subscribed.WrittenSpan));
        var h = Assert.IsType<Heartbeat>(StreamFrames.Parse(heartbeat.WrittenSpan));
        var e = Assert.IsType<ErrorFrame>(StreamFrames.Parse(FrameWriter.ErrorFrame("unknown_symbol", "not in the catalog: NOPE"), out var errorSequence));

        Assert.Equal(1, s.Sequence);
        Assert.Equal(["7974", "AAPL"], s.Symbols);
        Assert.Equal(new Heartbeat { Sequence = 3, Timestamp = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero) }, h);
        Assert.Equal(new ErrorFrame { Code = "unknown_symbol", Message = "not in the catalog: NOPE" }, e);
        Assert.Null(errorSequence);
    }

    [Fact(DisplayName = "A frame of a type this client does not know is skipped, but its sequence is still read")]
    public void Unknown_type()
    {
        var frame = StreamFrames.Parse("""{"sequence":4,"type":"market_status","open":true}"""u8, out var sequence);

        Assert.Null(frame);
        Assert.Equal(4, sequence);
    }

    [Theory(DisplayName = "A message that is not a typed JSON object is refused")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"sequence":1}""")]
    [InlineData("""{"type":7}""")]
    [InlineData("""{"type":"heartbeat","sequence":"one"}""")]
    [InlineData("""{"type":"subscribed","sequence":1,"symbols":null}""")]
    public void Malformed(string json)
    {
        Assert.ThrowsAny<JsonException>(() => StreamFrames.Parse(Encoding.UTF8.GetBytes(json)));
    }

    [Fact(DisplayName = "The client's close codes are the server's, and only the stopping ones are not retried")]
    public void Close_codes()
    {
        Assert.Equal(
            [CloseCodes.Unauthorized, CloseCodes.NotFound, CloseCodes.SlowConsumer, CloseCodes.TooManySockets, CloseCodes.BadRequest,
             CloseCodes.ServiceRestart, CloseCodes.TryAgainLater],
            [StreamCloseCodes.Unauthorized, StreamCloseCodes.NotFound, StreamCloseCodes.SlowConsumer, StreamCloseCodes.TooManySockets,
             StreamCloseCodes.BadRequest, StreamCloseCodes.ServiceRestart, StreamCloseCodes.TryAgainLater]);
        int[] codes = [1000, 1005, 1006, 1011, 1012, 1013, 4400, 4401, 4403, 4404, 4408, 4429, 4500];
        Assert.Equal(
            [true, true, true, true, true, true, false, false, false, false, true, true, true],
            codes.Select(StreamCloseCodes.IsRetryable));
    }
}
