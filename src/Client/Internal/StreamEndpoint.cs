using System.Globalization;
using System.Text;

namespace ActorQuotes.Client.Internal;

/// <summary>Builds a stream's <c>ws(s)://</c> address from the gateway's base address.</summary>
internal static class StreamEndpoint
{
    public static Uri Build(Uri baseUri, string path, string? token, IEnumerable<(string Name, string Value)> parameters)
    {
        var builder = new UriBuilder(baseUri)
        {
            Scheme = baseUri.Scheme switch
            {
                "https" or "wss" => "wss",
                _ => "ws",
            },
            Path = baseUri.AbsolutePath.TrimEnd('/') + path,
            Fragment = string.Empty,
        };
        var query = new StringBuilder();
        if (token is not null)
        {
            Append(query, "token", token);
        }

        foreach (var (name, value) in parameters)
        {
            Append(query, name, value);
        }

        builder.Query = query.ToString();
        return builder.Uri;
    }

    /// <summary>The <c>interval_ms</c> value, checked here so a bad one fails at once instead of with close 4400.</summary>
    public static string IntervalMilliseconds(TimeSpan interval)
    {
        var ms = interval.TotalMilliseconds;
        if (ms is < 0 or > 60_000 || ms != Math.Floor(ms))
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "the interval must be whole milliseconds from 0 to 60 s");
        }

        return ((long)ms).ToString(CultureInfo.InvariantCulture);
    }

    private static void Append(StringBuilder query, string name, string value)
    {
        if (query.Length > 0)
        {
            query.Append('&');
        }

        query.Append(name).Append('=').Append(Uri.EscapeDataString(value));
    }
}
