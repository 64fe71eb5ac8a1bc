using ActorQuotes.Gateway.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActorQuotes.Gateway.Endpoints;

/// <summary>
/// The <c>Idempotency-Key</c> request header: 1 to 200 visible ASCII characters, chosen by the client
/// (a UUID, say). A retry with the same key gets the first answer.
/// </summary>
public static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 200;

    /// <summary>The key (null when absent), or a problem when it is malformed.</summary>
    public static (string? Key, ProblemHttpResult? Problem) Read(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(Header, out var values))
        {
            return (null, null);
        }

        var key = values.Count == 1 ? values[0] : null;
        if (key is null || key.Length is 0 or > MaxLength || key.Any(c => c is < '!' or > '~'))
        {
            return (null, ApiProblems.Validation(Header, $"must be one value of 1 to {MaxLength} visible ASCII characters"));
        }

        return (key, null);
    }
}
