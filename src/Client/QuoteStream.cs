using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using ActorQuotes.Client.Internal;

namespace ActorQuotes.Client;

/// <summary>
/// The quote stream (<c>/api/v1/ws/quotes</c>) for a set of symbols the client keeps: it is sent on every new
/// socket, so a reconnect resubscribes it, and <see cref="SubscribeAsync"/> / <see cref="UnsubscribeAsync"/>
/// change it and tell the open socket. Create it with <see cref="ActorQuotesClient.StreamQuotes"/>.
/// </summary>
public sealed class QuoteStream
{
    /// <summary>Symbols per subscribe message, which keeps each well under the server's 16 KiB message limit.</summary>
    private const int SymbolsPerMessage = 100;

    private readonly ReconnectingStream _stream;

    // Set changes and sends happen one at a time, so the set sent to a new socket and the actions after it stay in order.
    private readonly SemaphoreSlim _actions = new(1, 1);
    private readonly HashSet<string> _symbols = new(StringComparer.OrdinalIgnoreCase);
    private StreamConnection? _current;

    internal QuoteStream(ActorQuotesClientOptions options, IEnumerable<string> symbols, QuoteStreamOptions streamOptions)
    {
        _symbols.UnionWith(Clean(symbols));
        List<(string, string)> parameters = [];
        if (streamOptions.Interval is { } interval)
        {
            parameters.Add(("interval_ms", StreamEndpoint.IntervalMilliseconds(interval)));
        }

        _stream = new ReconnectingStream(
            options,
            (gateway, token) => StreamEndpoint.Build(gateway, "/api/v1/ws/quotes", token, parameters),
            OnOpenAsync,
            connection => Interlocked.CompareExchange(ref _current, null, connection));
    }

    /// <summary>
    /// The symbols this client wants, as they were given (compared ignoring case), sorted. The server's own view,
    /// in the catalog's spelling and without unknown symbols, comes in each <see cref="Subscribed"/> frame.
    /// </summary>
    public IReadOnlyList<string> Symbols
    {
        get
        {
            lock (_symbols)
            {
                return _symbols.Order(StringComparer.OrdinalIgnoreCase).ToArray();
            }
        }
    }

    /// <summary>
    /// Connects and yields <see cref="Connected"/> (once the symbol set is sent), then <see cref="Subscribed"/>,
    /// <see cref="QuoteUpdate"/>s, <see cref="Heartbeat"/>s and non-fatal <see cref="ErrorFrame"/>s
    /// (<c>unknown_symbol</c>, …); a <see cref="GapDetected"/> before a frame whose sequence skipped. When the socket
    /// closes it yields <see cref="Disconnected"/>; a retryable close reconnects after the backoff and resubscribes,
    /// a fatal one (4400, 4401) throws <see cref="StreamClosedException"/>. Leaving the loop closes the socket (1000); cancelling the
    /// token drops it and throws <see cref="OperationCanceledException"/>. One enumeration at a time.
    /// </summary>
    public IAsyncEnumerable<StreamEvent> ReadAllAsync(CancellationToken cancellationToken = default) =>
        _stream.ReadAllAsync(cancellationToken);

    /// <summary>
    /// Adds symbols to the set and, when a socket is open, sends <c>{"action":"subscribe",…}</c>; the answer is a
    /// <see cref="Subscribed"/> frame in the enumeration, which may answer several changes sent in quick succession
    /// at once (it carries the set after the latest: docs/protocol.md, "Replies merge"). With no socket open (or one that just failed) the set is
    /// sent on the next connection instead, so this does not throw for a broken link.
    /// </summary>
    public Task SubscribeAsync(IEnumerable<string> symbols, CancellationToken cancellationToken = default) =>
        ChangeAsync("subscribe", symbols, add: true, cancellationToken);

    /// <summary>Removes symbols from the set and, when a socket is open, sends <c>{"action":"unsubscribe",…}</c>.</summary>
    public Task UnsubscribeAsync(IEnumerable<string> symbols, CancellationToken cancellationToken = default) =>
        ChangeAsync("unsubscribe", symbols, add: false, cancellationToken);

    private async Task ChangeAsync(string action, IEnumerable<string> symbols, bool add, CancellationToken cancellationToken)
    {
        var changed = Clean(symbols);
        if (changed.Length == 0)
        {
            return;
        }

        await _actions.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_symbols)
            {
                if (add)
                {
                    _symbols.UnionWith(changed);
                }
                else
                {
                    _symbols.ExceptWith(changed);
                }
            }

            if (Volatile.Read(ref _current) is { IsOpen: true } connection)
            {
                try
                {
                    await SendAsync(connection, action, changed, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
                {
                    // The socket is going; the next one is sent the whole set.
                }
            }
        }
        finally
        {
            _actions.Release();
        }
    }

    private async ValueTask OnOpenAsync(StreamConnection connection, CancellationToken cancellationToken)
    {
        await _actions.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            string[] all;
            lock (_symbols)
            {
                all = _symbols.Order(StringComparer.OrdinalIgnoreCase).ToArray();
            }

            if (all.Length > 0)
            {
                await SendAsync(connection, "subscribe", all, cancellationToken).ConfigureAwait(false);
            }

            Volatile.Write(ref _current, connection);
        }
        finally
        {
            _actions.Release();
        }
    }

    private static async Task SendAsync(StreamConnection connection, string action, string[] symbols, CancellationToken cancellationToken)
    {
        foreach (var chunk in symbols.Chunk(SymbolsPerMessage))
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("action"u8, action);
                writer.WriteStartArray("symbols"u8);
                foreach (var symbol in chunk)
                {
                    writer.WriteStringValue(symbol);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            await connection.SendTextAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string[] Clean(IEnumerable<string> symbols)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        return symbols.Select(s => s?.Trim() ?? "").Where(s => s.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }
}
