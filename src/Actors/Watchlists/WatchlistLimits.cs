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
        _ when name.All(c => char.IsWhiteSpace(c) || IsHidden(c)) => "must not be blank",
        _ when name.Length > MaxNameLength => $"must be at most {MaxNameLength} characters",
        _ when name.Any(IsHidden) || HasLoneSurrogate(name) => "must not contain control, invisible or text-direction characters",
        _ => null,
    };

    /// <summary>
    /// Characters a reader cannot see or that reorder what they see: controls (U+0000–U+001F, U+007F–U+009F),
    /// format characters (zero-width spaces and joiners, the byte-order mark, bidi embeddings, overrides and
    /// isolates) and the line and paragraph separators.
    /// </summary>
    private static bool IsHidden(char c) => char.GetUnicodeCategory(c) is
        System.Globalization.UnicodeCategory.Control
        or System.Globalization.UnicodeCategory.Format
        or System.Globalization.UnicodeCategory.LineSeparator
        or System.Globalization.UnicodeCategory.ParagraphSeparator;

    private static bool HasLoneSurrogate(string name)
    {
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsHighSurrogate(name[i]) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(name[i]))
            {
                return true;
            }
        }

        return false;
    }

    public static string? ValidateQuantity(double quantity) =>
        !double.IsFinite(quantity) || quantity <= 0 || quantity > MaxQuantity
            ? $"must be a number greater than 0 and at most {MaxQuantity:0}"
            : null;

    public static string? ValidatePurchasePrice(double price) =>
        !double.IsFinite(price) || price <= 0 || price > MaxPurchasePrice
            ? $"must be a number greater than 0 and at most {MaxPurchasePrice:0}"
            : null;
}
