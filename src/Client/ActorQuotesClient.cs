namespace ActorQuotes.Client;

/// <summary>
/// Opens the gateway's streams. Holds no connection itself: each stream connects when it is read, and
/// reconnects on its own. Thread-safe; one per gateway is enough.
/// </summary>
public sealed class ActorQuotesClient
{
    /// <summary>Creates a client; throws <see cref="ArgumentException"/> naming a wrong option.</summary>
    public ActorQuotesClient(ActorQuotesClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The options every stream of this client uses.</summary>
    public ActorQuotesClientOptions Options { get; }

    /// <summary>A price stream of one watchlist. Throws <see cref="ArgumentOutOfRangeException"/> for an interval outside 0–60 s.</summary>
    public WatchlistStream StreamWatchlist(long watchlistId, WatchlistStreamOptions? options = null) =>
        new(Options, watchlistId, options ?? new WatchlistStreamOptions());

    /// <summary>A quote stream starting with <paramref name="symbols"/> (may be empty; add more with <see cref="QuoteStream.SubscribeAsync"/>).</summary>
    public QuoteStream StreamQuotes(IEnumerable<string> symbols, QuoteStreamOptions? options = null) =>
        new(Options, symbols, options ?? new QuoteStreamOptions());
}
