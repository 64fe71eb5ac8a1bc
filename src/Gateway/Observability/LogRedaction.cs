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

        var redacted = SecretParameter().Replace(message, m => m.Groups["name"].Value + "=" + Mask);
        return BearerValue().Replace(redacted, "Bearer " + Mask);
    }

    [GeneratedRegex(@"(?<name>(?<=[?&;\s""'])(?:token|access_token|api_key|apikey|key|password|secret))=(?!\$)[^&\s""']+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretParameter();

    [GeneratedRegex(@"Bearer\s+[A-Za-z0-9\-._~+/=]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BearerValue();
}
