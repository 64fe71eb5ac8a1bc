using System.Globalization;
using System.Text.Json;
using ActorQuotes.Client.Internal;

namespace ActorQuotes.Client;

/// <summary>
/// Opens the gateway's streams and makes its watchlist writes. Streams hold no connection themselves: each
/// connects when it is read, and reconnects on its own. Each write carries a fresh Idempotency-Key and is
/// retried with that same key after 503, 504 or a lost connection, so it happens at most once (docs/api.md).
/// Thread-safe; one per gateway is enough.
/// </summary>
public sealed class ActorQuotesClient
{
    private readonly WriteSender _writes;

    /// <summary>Creates a client; throws <see cref="ArgumentException"/> naming a wrong option.</summary>
    public ActorQuotesClient(ActorQuotesClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _writes = new WriteSender(options);
    }

    /// <summary>The options every stream of this client uses.</summary>
    public ActorQuotesClientOptions Options { get; }

    /// <summary>A price stream of one watchlist. Throws <see cref="ArgumentOutOfRangeException"/> for an interval outside 0–60 s.</summary>
    public WatchlistStream StreamWatchlist(long watchlistId, WatchlistStreamOptions? options = null) =>
        new(Options, watchlistId, options ?? new WatchlistStreamOptions());

    /// <summary>A quote stream starting with <paramref name="symbols"/> (may be empty; add more with <see cref="QuoteStream.SubscribeAsync"/>).</summary>
    public QuoteStream StreamQuotes(IEnumerable<string> symbols, QuoteStreamOptions? options = null) =>
        new(Options, symbols, options ?? new QuoteStreamOptions());

    /// <summary><c>POST /watchlists</c>: creates a watchlist. Throws <see cref="ActorQuotesApiException"/> (409 <c>limit_reached</c>, 400).</summary>
    public async Task<Watchlist> CreateWatchlistAsync(string name, CancellationToken cancellationToken = default) =>
        (await _writes.SendAsync(HttpMethod.Post, "/api/v1/watchlists", Json(new NameBody(name), WriteJsonContext.Default.NameBody),
            WriteJsonContext.Default.Watchlist, cancellationToken))!;

    /// <summary><c>PATCH /watchlists/{id}</c>: renames it. Throws <see cref="ActorQuotesApiException"/> (404, 400).</summary>
    public async Task<Watchlist> RenameWatchlistAsync(long watchlistId, string name, CancellationToken cancellationToken = default) =>
        (await _writes.SendAsync(HttpMethod.Patch, "/api/v1/watchlists/" + Id(watchlistId), Json(new NameBody(name), WriteJsonContext.Default.NameBody),
            WriteJsonContext.Default.Watchlist, cancellationToken))!;

    /// <summary><c>DELETE /watchlists/{id}</c>. Throws <see cref="ActorQuotesApiException"/> (404).</summary>
    public Task DeleteWatchlistAsync(long watchlistId, CancellationToken cancellationToken = default) =>
        _writes.SendAsync<Watchlist>(HttpMethod.Delete, "/api/v1/watchlists/" + Id(watchlistId), null, null, cancellationToken);

    /// <summary>
    /// <c>PUT /watchlists/{id}/stocks/{symbol}</c>: adds the stock or replaces its position; answers the watchlist.
    /// Throws <see cref="ActorQuotesApiException"/> (400 <c>validation_failed</c>, 404, 409 <c>limit_reached</c>).
    /// </summary>
    public async Task<Watchlist> PutPositionAsync(long watchlistId, string tickerSymbol, double quantity, double purchasePrice, CancellationToken cancellationToken = default) =>
        (await _writes.SendAsync(HttpMethod.Put, StockPath(watchlistId, tickerSymbol),
            Json(new PositionBody(quantity, purchasePrice), WriteJsonContext.Default.PositionBody),
            WriteJsonContext.Default.Watchlist, cancellationToken))!;

    /// <summary><c>DELETE /watchlists/{id}/stocks/{symbol}</c>; answers the watchlist. Throws <see cref="ActorQuotesApiException"/> (404).</summary>
    public async Task<Watchlist> RemovePositionAsync(long watchlistId, string tickerSymbol, CancellationToken cancellationToken = default) =>
        (await _writes.SendAsync(HttpMethod.Delete, StockPath(watchlistId, tickerSymbol), null, WriteJsonContext.Default.Watchlist, cancellationToken))!;

    private static string Id(long watchlistId) => watchlistId.ToString(CultureInfo.InvariantCulture);

    private static string StockPath(long watchlistId, string tickerSymbol) =>
        $"/api/v1/watchlists/{Id(watchlistId)}/stocks/{Uri.EscapeDataString(tickerSymbol)}";

    private static byte[] Json<T>(T body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonSerializer.SerializeToUtf8Bytes(body, type);
}
