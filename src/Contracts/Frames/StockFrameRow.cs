namespace ActorQuotes.Contracts.Frames;

/// <summary>One stock of a <c>price_update</c> frame, in the prototype's field order.</summary>
public readonly record struct StockFrameRow(
    int CompanyId,
    string TickerSymbol,
    string CompanyName,
    double CurrentPrice,
    double Change,
    double ChangePercent,
    double Quantity,
    double PurchasePrice,
    double UnrealizedPl)
{
    /// <summary>
    /// The prototype's arithmetic: change against the previous close, change % rounded to two places,
    /// unrealized P&amp;L = (current − purchase) × quantity. Change and P&amp;L are rounded to 6 places so
    /// binary noise (0.1 + 0.2) never reaches a client.
    /// </summary>
    public static StockFrameRow Compute(
        int companyId,
        string tickerSymbol,
        string companyName,
        double currentPrice,
        double previousClose,
        double quantity,
        double purchasePrice)
    {
        return new StockFrameRow(
            companyId,
            tickerSymbol,
            companyName,
            currentPrice,
            PriceMath.Change(currentPrice, previousClose),
            PriceMath.ChangePercent(currentPrice, previousClose),
            quantity,
            purchasePrice,
            PriceMath.Clean((currentPrice - purchasePrice) * quantity));
    }
}
