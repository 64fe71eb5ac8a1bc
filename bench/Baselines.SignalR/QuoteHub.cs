using System.Text.Json.Serialization;
using Microsoft.AspNetCore.SignalR;

namespace ActorQuotes.Bench.Baselines.SignalR;

/// <summary>The quote frame's fields, as the SUT's quote stream names them (SignalR adds no sequence per socket).</summary>
internal sealed record QuoteMessage(
    [property: JsonPropertyName("ticker_symbol")] string TickerSymbol,
    [property: JsonPropertyName("price")] double Price,
    [property: JsonPropertyName("previous_close")] double PreviousClose,
    [property: JsonPropertyName("change")] double Change,
    [property: JsonPropertyName("change_percent")] double ChangePercent,
    [property: JsonPropertyName("open")] double Open,
    [property: JsonPropertyName("day_high")] double DayHigh,
    [property: JsonPropertyName("day_low")] double DayLow,
    [property: JsonPropertyName("volume")] long Volume,
    [property: JsonPropertyName("timestamp")] DateTime Timestamp,
    [property: JsonPropertyName("quote_sequence")] long QuoteSequence)
{
    public static QuoteMessage From(BaselineQuote q) =>
        new(q.Symbol, q.Price, q.PreviousClose, q.Change, q.ChangePercent, q.Open, q.DayHigh, q.DayLow, q.Volume, q.Timestamp, q.Sequence);
}

/// <summary>
/// <c>Subscribe(symbols)</c> joins one group per symbol and sends the caller each new symbol's current
/// quote; <c>Unsubscribe(symbols)</c> leaves them. Quotes arrive as <c>quote</c> invocations.
/// </summary>
internal sealed class QuoteHub(TickBook book) : Hub
{
    public async Task<string[]> Subscribe(string[] symbols)
    {
        var known = new List<string>(symbols.Length);
        foreach (var symbol in symbols)
        {
            var index = book.Catalog.IndexOf(symbol);
            if (index < 0)
            {
                continue;
            }

            known.Add(book.Catalog.Symbols[index]);
            await Groups.AddToGroupAsync(Context.ConnectionId, book.Catalog.Symbols[index]);
        }

        foreach (var symbol in known)
        {
            await Clients.Caller.SendAsync("quote", QuoteMessage.From(book.Current(book.Catalog.IndexOf(symbol))));
        }

        return [.. known];
    }

    public async Task Unsubscribe(string[] symbols)
    {
        foreach (var symbol in symbols)
        {
            var index = book.Catalog.IndexOf(symbol);
            if (index >= 0)
            {
                await Groups.RemoveFromGroupAsync(Context.ConnectionId, book.Catalog.Symbols[index]);
            }
        }
    }
}
