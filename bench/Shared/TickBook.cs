using ActorQuotes.Contracts.Frames;

namespace ActorQuotes.Bench.Baselines;

/// <summary>One accepted tick's quote, as the SUT's quote frame carries it.</summary>
internal sealed record BaselineQuote(
    string Symbol, double Price, double PreviousClose, double Open, double DayHigh, double DayLow,
    long Volume, DateTime Timestamp, long Sequence)
{
    public double Change => PriceMath.Change(Price, PreviousClose);

    public double ChangePercent => PriceMath.ChangePercent(Price, PreviousClose);
}

/// <summary>
/// Every symbol's latest quote, with the SUT's ticker rules (positive finite price, not older than the
/// last accepted tick, at most 20 % away from the last price), under one lock per symbol.
/// </summary>
internal sealed class TickBook
{
    public const double MaxJumpPercent = 20;

    private readonly BaselineQuote?[] _quotes;
    private readonly object[] _locks;

    public TickBook(BaselineCatalog catalog)
    {
        Catalog = catalog;
        _quotes = new BaselineQuote?[catalog.Symbols.Length];
        _locks = new object[catalog.Symbols.Length];
        for (var i = 0; i < _locks.Length; i++)
        {
            _locks[i] = new object();
            _quotes[i] = new BaselineQuote(catalog.Symbols[i], catalog.PreviousCloses[i], catalog.PreviousCloses[i],
                0, 0, 0, 0, DateTime.UnixEpoch, 0);
        }
    }

    public BaselineCatalog Catalog { get; }

    public BaselineQuote Current(int index) => _quotes[index]!;

    /// <summary>The new quote, or null with the rejection reason (the SUT's wire names).</summary>
    public BaselineQuote? Apply(int index, double price, long volume, DateTime timestamp, out string? reason)
    {
        reason = null;
        if (index < 0)
        {
            reason = "unknown_symbol";
            return null;
        }

        if (!double.IsFinite(price))
        {
            reason = "not_finite";
            return null;
        }

        if (price <= 0)
        {
            reason = "not_positive";
            return null;
        }

        lock (_locks[index])
        {
            var last = _quotes[index]!;
            if (last.Sequence > 0 && timestamp < last.Timestamp)
            {
                reason = "out_of_order";
                return null;
            }

            if (Math.Abs(price - last.Price) / last.Price * 100 > MaxJumpPercent)
            {
                reason = "outside_band";
                return null;
            }

            var first = last.Volume == 0 && last.Open == 0;
            var quote = new BaselineQuote(last.Symbol, price, last.PreviousClose,
                first ? price : last.Open,
                first ? price : Math.Max(last.DayHigh, price),
                first ? price : Math.Min(last.DayLow, price),
                last.Volume + volume, timestamp, last.Sequence + 1);
            _quotes[index] = quote;
            return quote;
        }
    }
}
