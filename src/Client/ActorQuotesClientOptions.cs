using System.Net.WebSockets;

namespace ActorQuotes.Client;

/// <summary>Where the gateway is, how to get a token, and how to reconnect. Shared by every stream of a client.</summary>
public sealed class ActorQuotesClientOptions
{
    /// <summary>The gateway, <c>http(s)://host[:port][/prefix]</c> (<c>ws(s)://</c> works too).</summary>
    public required Uri BaseUri { get; init; }

    /// <summary>
    /// Other gateways of the same cluster. After a connection fails or ends for a retryable reason (a gateway
    /// shutting down sends 1012; a crashed one just drops), the next attempt goes to the next address in turn:
    /// <see cref="BaseUri"/>, then these, then <see cref="BaseUri"/> again. Empty: always <see cref="BaseUri"/>.
    /// </summary>
    public IReadOnlyList<Uri> FallbackUris { get; init; } = [];

    /// <summary><see cref="BaseUri"/> followed by <see cref="FallbackUris"/>.</summary>
    internal IReadOnlyList<Uri> Gateways => [BaseUri, .. FallbackUris];

    /// <summary>
    /// Returns the token (from <c>POST /api/v1/auth/login</c>) for each connection attempt, so a refreshed token is
    /// used after a reconnect. An exception it throws ends the enumeration.
    /// </summary>
    public required Func<CancellationToken, ValueTask<string>> TokenProvider { get; init; }

    /// <summary>The first backoff ceiling after a failure (0.5 s); it doubles per failed attempt.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The largest backoff ceiling (30 s).</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How the delay is picked under the ceiling (<see cref="BackoffJitter.Equal"/>: between half and all of it).</summary>
    public BackoffJitter Jitter { get; init; } = BackoffJitter.Equal;

    /// <summary>The jitter's randomness, values in [0, 1); replace it for deterministic tests.</summary>
    public Func<double> Random { get; init; } = System.Random.Shared.NextDouble;

    /// <summary>The clock for backoff delays and timeouts; replace it for deterministic tests.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The receive buffer each socket starts with (16 KiB). It doubles, up to <see cref="MaxMessageSize"/>, for a larger message.</summary>
    public int ReceiveBufferSize { get; init; } = 16 * 1024;

    /// <summary>
    /// The largest message accepted (4 MiB; a 500-stock watchlist frame is about 150 KB). A larger one closes the
    /// socket with 1009 and ends the stream with a <see cref="StreamClosedException"/>.
    /// </summary>
    public int MaxMessageSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>How long one connection attempt (TCP, TLS, upgrade) may take (15 s).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The client's WebSocket ping interval (15 s); a peer that does not answer within the same time is treated as
    /// gone (1006) and the client reconnects. <see cref="TimeSpan.Zero"/> turns pings off.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How many times one write is sent, with the same Idempotency-Key, before its error reaches the caller (5):
    /// the first try and the retries after 503, 504, a connection failure or <see cref="WriteTimeout"/>. The
    /// waits between them follow the backoff above.
    /// </summary>
    public int WriteAttempts { get; init; } = 5;

    /// <summary>How long one attempt of a write may take before it counts as failed and is retried (30 s).</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Last touches to each socket before it connects (a proxy, headers).</summary>
    public Action<ClientWebSocketOptions>? ConfigureWebSocket { get; init; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(FallbackUris);
        foreach (var uri in Gateways)
        {
            if (uri is null || !uri.IsAbsoluteUri || uri.Scheme is not ("http" or "https" or "ws" or "wss"))
            {
                throw new ArgumentException($"{nameof(BaseUri)} and {nameof(FallbackUris)} must be absolute http(s):// or ws(s):// addresses, not '{uri}'.", nameof(BaseUri));
            }
        }

        ArgumentNullException.ThrowIfNull(TokenProvider);
        ArgumentNullException.ThrowIfNull(Random);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        if (InitialBackoff <= TimeSpan.Zero || MaxBackoff < InitialBackoff)
        {
            throw new ArgumentException($"{nameof(InitialBackoff)} must be positive and {nameof(MaxBackoff)} at least as long.", nameof(MaxBackoff));
        }

        if (ReceiveBufferSize <= 0 || MaxMessageSize < ReceiveBufferSize)
        {
            throw new ArgumentException($"{nameof(ReceiveBufferSize)} must be positive and {nameof(MaxMessageSize)} at least as large.", nameof(MaxMessageSize));
        }

        if (WriteAttempts is < 1 or > 100 || WriteTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(WriteAttempts)} must be 1 to 100 and {nameof(WriteTimeout)} positive.", nameof(WriteAttempts));
        }

        if (ConnectTimeout <= TimeSpan.Zero || KeepAliveInterval < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(ConnectTimeout)} must be positive and {nameof(KeepAliveInterval)} not negative.", nameof(ConnectTimeout));
        }
    }
}
