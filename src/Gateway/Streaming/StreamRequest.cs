using System.Globalization;
using ActorQuotes.Actors.Sessions;

namespace ActorQuotes.Gateway.Streaming;

/// <summary>What every WebSocket request is checked for before its session starts.</summary>
public static class StreamRequest
{
    /// <summary>
    /// Browsers send Origin with a WebSocket upgrade; a page from another site must not open a stream with
    /// a user's token (cross-site WebSocket hijacking). Clients that send no Origin are not browsers. The
    /// gateway's own origins come from configuration (<see cref="StreamOrigins"/>), never from the request.
    /// </summary>
    public static bool OriginAllowed(string? origin, IReadOnlySet<string> allowed, bool allowLoopback)
    {
        if (string.IsNullOrEmpty(origin))
        {
            return true;
        }

        if (NormalizeOrigin(origin) is not { } normalized)
        {
            return false;
        }

        if (allowed.Contains(normalized))
        {
            return true;
        }

        return allowLoopback && IsLoopback(new Uri(normalized));
    }

    /// <summary>
    /// <c>scheme://host[:port]</c> in lower case without a default port, or null when the text is not an http(s)
    /// origin (a path, query, fragment or user info makes it something else).
    /// </summary>
    public static string? NormalizeOrigin(string? text)
    {
        if (!Uri.TryCreate(text?.Trim(), UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https")
            || uri.UserInfo.Length > 0
            || uri.AbsolutePath != "/"
            || uri.Query.Length > 0
            || uri.Fragment.Length > 0
            || text!.TrimEnd().EndsWith('?')
            || text.TrimEnd().EndsWith('#'))
        {
            return null;
        }

        return uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
    }

    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary>The socket's <c>interval_ms</c> (0–60000) and <c>mode</c> (full|changes), or why they are wrong.</summary>
    public static (StreamPace? Pace, string? Error) ParsePace(IQueryCollection query, StreamingOptions options)
    {
        var interval = options.FrameInterval;
        if (query.TryGetValue("interval_ms", out var raw))
        {
            if (!int.TryParse(raw.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
                || ms > StreamPace.MaxInterval.TotalMilliseconds)
            {
                return (null, "interval_ms must be a whole number from 0 to 60000");
            }

            interval = TimeSpan.FromMilliseconds(ms);
        }

        var changesOnly = false;
        if (query.TryGetValue("mode", out var mode))
        {
            switch (mode.ToString())
            {
                case "full":
                    break;
                case "changes":
                    changesOnly = true;
                    break;
                default:
                    return (null, "mode must be 'full' or 'changes'");
            }
        }

        return (new StreamPace(interval, changesOnly), null);
    }
}
