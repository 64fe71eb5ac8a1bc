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
}
