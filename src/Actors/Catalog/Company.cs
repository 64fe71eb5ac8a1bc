using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace ActorQuotes.Actors.Catalog;

/// <summary>One listed company of the security master.</summary>
public sealed record Company(
    int CompanyId,
    string TickerSymbol,
    string CompanyName,
    string Exchange,
    string Currency,
    double PreviousClose)
{
    /// <summary>
    /// Smallest price step the simulator moves in: one yen on TSE (0.1 yen below 1,000 yen, as for
    /// TOPIX 500 names), one cent elsewhere.
    /// </summary>
    public double PriceIncrement => Currency == "JPY" ? (PreviousClose < 1000 ? 0.1 : 1.0) : 0.01;

    /// <summary>The trading hours of <see cref="Exchange"/>.</summary>
    /// <exception cref="InvalidOperationException">The exchange code is not one of TSE, NYSE, NASDAQ.</exception>
    [JsonIgnore]
    public ExchangeCalendar Calendar => ExchangeCalendar.Find(Exchange)
        ?? throw new InvalidOperationException(
            $"Company {CompanyId} ({TickerSymbol}) lists on exchange '{Exchange}', which has no trading calendar; "
            + $"known exchanges: {string.Join(", ", ExchangeCalendar.All.Select(e => e.Code))}.");

    // Only the positional members: the synthesized ToString would also read Calendar, and a message or
    // assertion that prints a company must not throw for an unknown exchange.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture,
            $"CompanyId = {CompanyId}, TickerSymbol = {TickerSymbol}, CompanyName = {CompanyName}, Exchange = {Exchange}, Currency = {Currency}, PreviousClose = {PreviousClose}");
        return true;
    }
}
