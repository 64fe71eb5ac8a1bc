namespace ActorQuotes.Client;

/// <summary>A watchlist as the REST API answers it (<c>GET/PUT/PATCH /api/v1/watchlists…</c>).</summary>
public sealed record Watchlist(long WatchlistId, string Name, IReadOnlyList<WatchlistStock> Stocks);

/// <summary>One position of a <see cref="Watchlist"/>.</summary>
public sealed record WatchlistStock(int CompanyId, string TickerSymbol, string CompanyName, double Quantity, double PurchasePrice);
