using System.Buffers;
using System.Text;
using ActorQuotes.Contracts.Frames;

namespace ActorQuotes.Contracts.Tests;

public sealed class FrameWriterTests
{
    [Fact(DisplayName = "The worked example of PROTOTYPE.md gives change 50.0, change % 1.92 and P&L 15000.0")]
    public void Worked_example_arithmetic()
    {
        var row = StockFrameRow.Compute(1, "7203", "トヨタ自動車株式会社", currentPrice: 2650.0, previousClose: 2600.0,
            quantity: 100.0, purchasePrice: 2500.0);

        Assert.Equal(2650.0, row.CurrentPrice);
        Assert.Equal(50.0, row.Change);
        Assert.Equal(1.92, row.ChangePercent);
        Assert.Equal(15000.0, row.UnrealizedPl);
    }

    [Fact(DisplayName = "A price_update frame is byte for byte the prototype's, Japanese names unescaped")]
    public void Price_update_bytes()
    {
        var row = StockFrameRow.Compute(1, "7203", "トヨタ自動車株式会社", 2650.0, 2600.0, 100.0, 2500.0);
        var buffer = new ArrayBufferWriter<byte>();

        FrameWriter.WritePriceUpdate(buffer, 1, [row], new DateTimeOffset(2025, 11, 9, 16, 0, 0, 250, TimeSpan.Zero), 7, PortfolioTotals.Of([row]));

        // The prototype's fields byte for byte, then this server's sequence and totals.
        Assert.Equal(
            """{"type":"price_update","watchlist_id":1,"stocks":[{"company_id":1,"ticker_symbol":"7203","company_name":"トヨタ自動車株式会社","current_price":2650.0,"change":50.0,"change_percent":1.92,"quantity":100.0,"purchase_price":2500.0,"unrealized_pl":15000.0}],"timestamp":"2025-11-09T16:00:00","sequence":7,"totals":{"market_value":265000.0,"cost":250000.0,"unrealized_pl":15000.0,"day_change":5000.0}}""",
            Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact(DisplayName = "Losses and falls are negative and binary noise is rounded away")]
    public void Negative_values()
    {
        var row = StockFrameRow.Compute(31, "AAPL", "Apple Inc.", currentPrice: 100.1, previousClose: 100.3,
            quantity: 3, purchasePrice: 100.2);

        Assert.Equal(-0.2, row.Change);
        Assert.Equal(-0.2, row.ChangePercent);
        Assert.Equal(-0.3, row.UnrealizedPl);
    }

    [Fact(DisplayName = "An error frame carries type, code and message")]
    public void Error_frame() =>
        Assert.Equal("""{"type":"error","code":"unauthorized","message":"bad token"}""",
            Encoding.UTF8.GetString(FrameWriter.ErrorFrame("unauthorized", "bad token")));

    [Fact(DisplayName = "A changes-mode frame with nothing moved has an empty stocks array and names removed stocks")]
    public void Empty_watchlist()
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameWriter.WritePriceUpdate(buffer, 42, [], new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(9)), 1, default, ["7203"]);

        Assert.Equal("""{"type":"price_update","watchlist_id":42,"stocks":[],"timestamp":"2026-01-01T18:04:05","sequence":1,"totals":{"market_value":0.0,"cost":0.0,"unrealized_pl":0.0,"day_change":0.0},"removed":["7203"]}""",
            Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}

public sealed class QuoteFrameTests
{
    [Fact(DisplayName = "A quote frame is the socket's header followed by the quote's shared bytes")]
    public void Quote_frame()
    {
        var quote = new Tickers.Quote("AAPL", 271.5, 270.0, new DateTimeOffset(2026, 11, 29, 14, 30, 0, TimeSpan.Zero), 42)
        {
            Open = 270.5, DayHigh = 272.0, DayLow = 269.75, Volume = 1200,
        };
        var tail = FrameWriter.QuoteTail(quote);
        var buffer = new ArrayBufferWriter<byte>();

        FrameWriter.WriteQuote(buffer, 9, tail);

        Assert.Equal(
            """{"type":"quote","sequence":9,"ticker_symbol":"AAPL","price":271.5,"previous_close":270.0,"change":1.5,"change_percent":0.56,"open":270.5,"day_high":272.0,"day_low":269.75,"volume":1200,"timestamp":"2026-11-29T14:30:00Z","quote_sequence":42}""",
            Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact(DisplayName = "Subscribed and heartbeat frames carry the socket's sequence")]
    public void Control_frames()
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameWriter.WriteSubscribed(buffer, 3, ["7203", "AAPL"]);
        var subscribed = Encoding.UTF8.GetString(buffer.WrittenSpan);
        buffer.ResetWrittenCount();
        FrameWriter.WriteHeartbeat(buffer, 4, new DateTimeOffset(2026, 11, 29, 0, 0, 15, TimeSpan.Zero));

        Assert.Equal("""{"type":"subscribed","sequence":3,"symbols":["7203","AAPL"]}""", subscribed);
        Assert.Equal("""{"type":"heartbeat","sequence":4,"timestamp":"2026-11-29T00:00:15"}""", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
