using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ActorQuotes.Gateway.Problems;

/// <summary>
/// RFC 7807 problem details with a stable machine-readable <c>code</c>; docs/api.md lists them.
/// </summary>
public static class ApiProblems
{
    public const string ValidationFailed = "validation_failed";
    public const string NotFound = "not_found";
    public const string Conflict = "conflict";
    public const string LimitReached = "limit_reached";
    public const string UnauthorizedCode = "unauthorized";
    public const string Unavailable = "unavailable";
    public const string BadRequest = "bad_request";
    public const string TooManyAttempts = "too_many_attempts";
    public const string OutcomeUnknownCode = "outcome_unknown";
    public const string IdempotencyKeyReused = "idempotency_key_reused";

    public static ProblemHttpResult Create(int status, string code, string title, string? detail = null)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Type = TypeFor(code),
            Title = title,
            Detail = detail,
        };
        problem.Extensions["code"] = code;
        return TypedResults.Problem(problem);
    }

    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors)
    {
        var problem = Create(StatusCodes.Status400BadRequest, ValidationFailed, "The request is not valid.",
            "See errors for each field.");
        problem.ProblemDetails.Extensions["errors"] = errors;
        return problem;
    }

    public static ProblemHttpResult Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult WatchlistNotFound() =>
        Create(StatusCodes.Status404NotFound, NotFound, "Watchlist not found.");

    public static ProblemHttpResult Unauthorized(string detail) =>
        Create(StatusCodes.Status401Unauthorized, UnauthorizedCode, "Unauthorized.", detail);

    public static ProblemHttpResult ServiceUnavailable(string detail) =>
        Create(StatusCodes.Status503ServiceUnavailable, Unavailable, "Service unavailable.", detail);

    /// <summary>504: a write was sent and may or may not have happened; retry with the same Idempotency-Key.</summary>
    public static ProblemHttpResult OutcomeUnknown(string detail) =>
        Create(StatusCodes.Status504GatewayTimeout, OutcomeUnknownCode, "Outcome unknown.", detail);

    /// <summary>409: the Idempotency-Key was used before with a different request.</summary>
    public static ProblemHttpResult KeyReused() =>
        Create(StatusCodes.Status409Conflict, IdempotencyKeyReused, "Idempotency-Key reused.",
            "this Idempotency-Key was used for a different request");

    public static string TypeFor(string code) => "urn:actorquotes:problem:" + code;

    /// <summary>The stable code for a status that the framework answers by itself (bad JSON, unknown route).</summary>
    public static string CodeForStatus(int status) => status switch
    {
        StatusCodes.Status400BadRequest => BadRequest,
        StatusCodes.Status401Unauthorized => UnauthorizedCode,
        StatusCodes.Status403Forbidden => "forbidden",
        StatusCodes.Status404NotFound => NotFound,
        StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
        StatusCodes.Status408RequestTimeout => "request_timeout",
        StatusCodes.Status409Conflict => Conflict,
        StatusCodes.Status413PayloadTooLarge => "payload_too_large",
        StatusCodes.Status414UriTooLong => "uri_too_long",
        StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
        StatusCodes.Status429TooManyRequests => TooManyAttempts,
        StatusCodes.Status431RequestHeaderFieldsTooLarge => "headers_too_large",
        StatusCodes.Status503ServiceUnavailable => Unavailable,
        StatusCodes.Status504GatewayTimeout => OutcomeUnknownCode,
        StatusCodes.Status505HttpVersionNotsupported => "http_version_not_supported",
        >= 500 => "internal_error",
        _ => BadRequest,
    };
}
