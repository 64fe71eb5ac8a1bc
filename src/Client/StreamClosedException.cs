namespace ActorQuotes.Client;

/// <summary>
/// Ends a stream's enumeration when the server closed it for good (4400 bad options, 4401 unauthorized, 4404 not
/// found, any other 44xx but 4408/4429), when the upgrade was refused with an HTTP 4xx, or when a message was
/// larger than <see cref="ActorQuotesClientOptions.MaxMessageSize"/>. A <see cref="Disconnected"/> with
/// <c>WillRetry = false</c> is yielded just before it.
/// </summary>
public sealed class StreamClosedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StreamClosedException(int closeCode, string? code, string? message)
        : base(message ?? $"the stream was closed with {closeCode} ({code ?? "no reason"})")
    {
        CloseCode = closeCode;
        Code = code;
    }

    /// <summary>The WebSocket close code (see <see cref="StreamCloseCodes"/>).</summary>
    public int CloseCode { get; }

    /// <summary>
    /// The server's error code (<c>unauthorized</c>, <c>not_found</c>, <c>bad_request</c>, …), <c>message_too_large</c>,
    /// or <c>http_NNN</c> for a refused upgrade.
    /// </summary>
    public string? Code { get; }
}
