using System.Globalization;
using ActorQuotes.Actors.Sessions;

namespace ActorQuotes.Gateway.Streaming;

/// <summary>What every WebSocket request is checked for before its session starts.</summary>
public static class StreamRequest
{
    /// <summary>
    /// Browsers send Origin with a WebSocket upgrade; a page from another site must not open a stream with
    /// a user's token (cross-site WebSocket hijacking). Clients that send no Origin are not browsers.
    /// </summary>
    public static bool OriginAllowed(HttpRequest request, StreamingOptions options)
    {
        var origin = request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin))
        {
            return true;
        }

        if (options.AllowedOrigins.Any(o => string.Equals(o.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        // Its own origin (a page this gateway served) is always fine.
        if (string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return options.AllowLoopbackOrigins
               && Uri.TryCreate(origin, UriKind.Absolute, out var uri)
               && uri.Scheme is "http" or "https"
               && (uri.IsLoopback || string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase));
    }

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
