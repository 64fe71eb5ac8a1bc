namespace ActorQuotes.Actors.Watchlists;

/// <summary>The limits a watchlist enforces; the gateway checks the same ones to name the bad field.</summary>
public static class WatchlistLimits
{
    public const int MaxNameLength = 100;
    public const int MaxStocks = 200;
    public const double MaxQuantity = 1e9;
    public const double MaxPurchasePrice = 1e9;

    public static string? ValidateName(string? name) => name switch
    {
        null => "is required",
        _ when string.IsNullOrWhiteSpace(name) => "must not be blank",
        _ when name.Length > MaxNameLength => $"must be at most {MaxNameLength} characters",
        _ => null,
    };

    public static string? ValidateQuantity(double quantity) =>
        !double.IsFinite(quantity) || quantity <= 0 || quantity > MaxQuantity
            ? $"must be a number greater than 0 and at most {MaxQuantity:0}"
            : null;

    public static string? ValidatePurchasePrice(double price) =>
        !double.IsFinite(price) || price <= 0 || price > MaxPurchasePrice
            ? $"must be a number greater than 0 and at most {MaxPurchasePrice:0}"
            : null;
}
