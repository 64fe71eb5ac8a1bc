namespace ActorQuotes.Client;

/// <summary>
/// A REST call that did not succeed: the problem's stable <see cref="Code"/> (docs/api.md lists them) and, for a
/// write, the Idempotency-Key it used. A 4xx means nothing changed. <see cref="IsOutcomeUnknown"/> means the write
/// may or may not have happened after every attempt: send it again later with <see cref="IdempotencyKey"/>.
/// </summary>
public sealed class ActorQuotesApiException(int statusCode, string code, string? detail, string? idempotencyKey, Exception? inner = null)
    : Exception($"{(statusCode == 0 ? "no answer" : statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture))} {code}: {detail}", inner)
{
    /// <summary>The code written by <see cref="Code"/> when a write's outcome is unknown.</summary>
    public const string OutcomeUnknown = "outcome_unknown";

    /// <summary>The HTTP status, or 0 when no attempt got an answer (connection failures, timeouts).</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary>The problem's <c>code</c>, e.g. <c>not_found</c>, <c>validation_failed</c>, <c>outcome_unknown</c>.</summary>
    public string Code { get; } = code;

    /// <summary>The problem's <c>detail</c>, if any.</summary>
    public string? Detail { get; } = detail;

    /// <summary>The key every attempt of this write carried; null for a read.</summary>
    public string? IdempotencyKey { get; } = idempotencyKey;

    /// <summary>The write may or may not have happened; retrying it with <see cref="IdempotencyKey"/> is safe.</summary>
    public bool IsOutcomeUnknown => Code == OutcomeUnknown;
}
