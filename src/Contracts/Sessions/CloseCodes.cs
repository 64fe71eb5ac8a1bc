namespace ActorQuotes.Contracts.Sessions;

/// <summary>WebSocket close codes and the error codes of the frames sent before them.</summary>
public static class CloseCodes
{
    /// <summary>Missing, wrong or expired token.</summary>
    public const int Unauthorized = 4401;

    /// <summary>The watchlist does not exist or is not the caller's.</summary>
    public const int NotFound = 4404;

    /// <summary>The client stopped reading its frames.</summary>
    public const int SlowConsumer = 4408;

    /// <summary>The user has too many sockets open.</summary>
    public const int TooManySockets = 4429;

    /// <summary>
    /// The client sent more bad messages than <c>Streaming:MaxBadMessages</c> within <c>Streaming:BadMessageWindow</c>
    /// (quote stream). A client's fault, like 4400: reconnecting would only repeat it.
    /// </summary>
    public const int TooManyBadMessages = 4422;

    /// <summary>The request's options were invalid (interval_ms, mode).</summary>
    public const int BadRequest = 4400;

    /// <summary>An operator closed the socket (<c>aq sessions kick</c>); reconnecting is allowed.</summary>
    public const int PolicyViolation = 1008;

    /// <summary>The server is going away (shutdown); reconnect.</summary>
    public const int ServiceRestart = 1012;

    /// <summary>The server could not serve the stream (a dependency did not answer); reconnect.</summary>
    public const int TryAgainLater = 1013;

    public const string UnauthorizedCode = "unauthorized";
    public const string NotFoundCode = "not_found";
    public const string UnavailableCode = "unavailable";
    public const string SlowConsumerCode = "slow_consumer";
    public const string TooManySocketsCode = "too_many_sockets";
    public const string TooManyBadMessagesCode = "too_many_bad_messages";
    public const string BadRequestCode = "bad_request";
    public const string PolicyViolationCode = "policy_violation";
}
