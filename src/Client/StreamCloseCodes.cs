namespace ActorQuotes.Client;

/// <summary>The close codes the ActorQuotes streams use, and which of them the client retries.</summary>
public static class StreamCloseCodes
{
    /// <summary>Closed after the client closed.</summary>
    public const int NormalClosure = 1000;

    /// <summary>The close frame carried no code.</summary>
    public const int NoStatus = 1005;

    /// <summary>No close frame: the connection failed, was refused or dropped.</summary>
    public const int Abnormal = 1006;

    /// <summary>The client received a frame that is not a JSON object with a <c>type</c>.</summary>
    public const int InvalidPayload = 1007;

    /// <summary>The client received a message larger than <see cref="ActorQuotesClientOptions.MaxMessageSize"/>.</summary>
    public const int MessageTooBig = 1009;

    /// <summary>The server is shutting down; reconnect (elsewhere).</summary>
    public const int ServiceRestart = 1012;

    /// <summary>The server could not serve the stream right now; reconnect later.</summary>
    public const int TryAgainLater = 1013;

    /// <summary>The stream's options were invalid (<c>interval_ms</c>, <c>mode</c>).</summary>
    public const int BadRequest = 4400;

    /// <summary>Missing, wrong, expired or logged-out token.</summary>
    public const int Unauthorized = 4401;

    /// <summary>The watchlist does not exist, is not the caller's, or was deleted.</summary>
    public const int NotFound = 4404;

    /// <summary>The client did not read its frames fast enough.</summary>
    public const int SlowConsumer = 4408;

    /// <summary>The user has too many sockets open.</summary>
    public const int TooManySockets = 4429;

    /// <summary>The client sent too many bad messages (unknown symbols, malformed JSON…) in a short time.</summary>
    public const int TooManyBadMessages = 4422;

    /// <summary>
    /// Whether the client reconnects after this close code. Codes 4400–4499 are the client's fault, as HTTP 4xx
    /// are, and reconnecting would only repeat them, so they end the stream; 4408 and 4429 (like HTTP 408 and
    /// 429) pass with time, and everything else (1012, 1013, 1006, …) is the server's or the network's.
    /// </summary>
    public static bool IsRetryable(int closeCode) =>
        closeCode is SlowConsumer or TooManySockets || closeCode is < 4400 or > 4499;
}
