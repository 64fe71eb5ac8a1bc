using System.Text.RegularExpressions;

namespace ActorQuotes.Gateway.Observability;

/// <summary>
/// The last line of defence for secrets in logs: query parameters that carry credentials
/// (<c>?token=</c> on the WebSocket URL, which ASP.NET Core's request logging prints) and bearer headers
/// are replaced by <c>***</c> before a line is written (a shell placeholder such as <c>$TOKEN</c> is left as it is). Lines without a hint of one cost one scan.
/// </summary>
public static partial class LogRedaction
{
    public const string Mask = "***";

    public static string Redact(string message)
    {
        if (message.IndexOf('=', StringComparison.Ordinal) < 0 && !message.Contains("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return message;
        }

        var redacted = Parameter().Replace(message, m => IsSecret(m.Groups["name"].Value) ? m.Groups["name"].Value + "=" + Mask : m.Value);
        return BearerValue().Replace(redacted, "Bearer " + Mask);
    }

    // Compared as ASP.NET Core reads them, after percent-decoding: ?%74oken= is ?token=.
    private static bool IsSecret(string name)
    {
        var decoded = name.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(name) : name;
        return SecretNames.Contains(decoded);
    }

    private static readonly HashSet<string> SecretNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "token", "access_token", "api_key", "apikey", "key", "password", "secret",
    };

    [GeneratedRegex(@"(?<=[?&;\s""'])(?<name>(?:[A-Za-z_]|%[0-9A-Fa-f]{2}){1,40})=(?!\$)[^&\s""']+", RegexOptions.CultureInvariant)]
    private static partial Regex Parameter();

    [GeneratedRegex(@"Bearer\s+[A-Za-z0-9\-._~+/=]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BearerValue();
}
