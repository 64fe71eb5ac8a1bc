using System.Security.Cryptography;
using System.Text;
using ActorQuotes.Gateway.Problems;

namespace ActorQuotes.Gateway.Admin;

/// <summary>
/// Every admin request carries the key, as <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Admin-Key</c>;
/// anything else is answered 401 with code <c>unauthorized</c>. Compared in constant time (over SHA-256
/// digests, so the key's length does not leak either).
/// </summary>
public sealed class AdminKeyCheck(string key)
{
    public const string HeaderName = "X-Admin-Key";

    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public bool Matches(string? presented) =>
        presented is not null
        && CryptographicOperations.FixedTimeEquals(_expected, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (Matches(Presented(context.Request)))
        {
            await next(context);
            return;
        }

        await ApiProblems.Create(StatusCodes.Status401Unauthorized, ApiProblems.UnauthorizedCode,
            "A valid admin key is required.", $"send it as 'Authorization: Bearer <key>' or '{HeaderName}: <key>' (Admin:Key on the node)")
            .ExecuteAsync(context);
    }

    private static string? Presented(HttpRequest request)
    {
        if (request.Headers.TryGetValue(HeaderName, out var header) && header.Count == 1)
        {
            return header[0];
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }
}
