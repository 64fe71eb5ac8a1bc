namespace ActorQuotes.Contracts.Frames;

/// <summary>
/// Sums over a watchlist's stocks: market value (price × quantity), cost (purchase price × quantity),
/// unrealized P&amp;L and today's change (change × quantity). Amounts in different currencies are added
/// as plain numbers; there is no FX conversion.
/// </summary>
public readonly record struct PortfolioTotals(double MarketValue, double Cost, double UnrealizedPl, double DayChange)
{
    public static PortfolioTotals Of(ReadOnlySpan<StockFrameRow> rows)
    {
        double value = 0, cost = 0, pl = 0, day = 0;
        foreach (ref readonly var row in rows)
        {
            value += row.CurrentPrice * row.Quantity;
            cost += row.PurchasePrice * row.Quantity;
            pl += row.UnrealizedPl;
            day += row.Change * row.Quantity;
        }

        return new PortfolioTotals(PriceMath.Clean(value), PriceMath.Clean(cost), PriceMath.Clean(pl), PriceMath.Clean(day));
    }
}
