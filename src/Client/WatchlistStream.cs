using ActorQuotes.Client.Internal;

namespace ActorQuotes.Client;

/// <summary>
/// The price stream of one watchlist (<c>/api/v1/ws/watchlist/{id}/prices</c>). Create it with
/// <see cref="ActorQuotesClient.StreamWatchlist"/>; read it with <see cref="ReadAllAsync"/>.
/// </summary>
public sealed class WatchlistStream
{
    private readonly ReconnectingStream _stream;

    internal WatchlistStream(ActorQuotesClientOptions options, long watchlistId, WatchlistStreamOptions streamOptions)
    {
        WatchlistId = watchlistId;
        List<(string, string)> parameters = [];
        if (streamOptions.Interval is { } interval)
        {
            parameters.Add(("interval_ms", StreamEndpoint.IntervalMilliseconds(interval)));
        }

        if (streamOptions.Mode == WatchlistStreamMode.Changes)
        {
            parameters.Add(("mode", "changes"));
        }

        var path = "/api/v1/ws/watchlist/" + watchlistId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/prices";
        _stream = new ReconnectingStream(options, (gateway, token) => StreamEndpoint.Build(gateway, path, token, parameters));
    }

    /// <summary>The streamed watchlist.</summary>
    public long WatchlistId { get; }

    /// <summary>
    /// Connects and yields <see cref="Connected"/>, then <see cref="PriceUpdate"/>s and <see cref="Heartbeat"/>s (a
    /// <see cref="GapDetected"/> before a frame whose sequence skipped). When the socket closes it yields
    /// <see cref="Disconnected"/>; a retryable close (1012, 1013, 4408, 4429, a dropped connection) reconnects after
    /// the backoff and the enumeration goes on, a fatal one (4400, 4401, 4404) throws
    /// <see cref="StreamClosedException"/>. Leaving the loop closes the socket (1000); cancelling the token drops it
    /// and throws <see cref="OperationCanceledException"/>. One enumeration at a time.
    /// </summary>
    public IAsyncEnumerable<StreamEvent> ReadAllAsync(CancellationToken cancellationToken = default) =>
        _stream.ReadAllAsync(cancellationToken);
}
