using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace ActorQuotes.Gateway.Observability;

/// <summary>
/// The node's console log line, for Akka's logs and ASP.NET Core's alike (one
/// Microsoft.Extensions.Logging stream): UTC time, level, the node's cluster address, category, message.
/// Every line goes through <see cref="LogRedaction"/>.
/// <c>2026-11-29T08:41:02.123Z info [akka.tcp://actorquotes@127.0.0.1:40531] ActorQuotes.Feeds: Replaying 120 rows</c>
/// </summary>
public sealed class NodeConsoleFormatter(NodeIdentity node) : ConsoleFormatter(Name)
{
    public new const string Name = "actorquotes";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }

        textWriter.Write(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        textWriter.Write(' ');
        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(" [");
        textWriter.Write(node.Address);
        textWriter.Write("] ");
        textWriter.Write(logEntry.Category);
        textWriter.Write(": ");
        textWriter.Write(LogRedaction.Redact(message));
        if (logEntry.Exception is { } exception)
        {
            textWriter.Write('\n');
            textWriter.Write(LogRedaction.Redact(exception.ToString()));
        }

        textWriter.Write('\n');
    }

    internal static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}

/// <summary>
/// The same stream as one JSON object per line (<c>Logging:Console:FormatterName=json</c>): timestamp,
/// level, node, category, event id, message, the message template's named values, exception.
/// </summary>
public sealed class NodeJsonConsoleFormatter(NodeIdentity node) : ConsoleFormatter(Name)
{
    public new const string Name = "actorquotes-json";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", DateTimeOffset.UtcNow);
            json.WriteString("level", logEntry.LogLevel.ToString());
            json.WriteString("node", node.Address);
            json.WriteString("category", logEntry.Category);
            json.WriteNumber("event_id", logEntry.EventId.Id);
            json.WriteString("message", LogRedaction.Redact(message));
            if (logEntry.State is IReadOnlyList<KeyValuePair<string, object?>> values && values.Count > 1)
            {
                json.WriteStartObject("state");
                foreach (var (key, value) in values)
                {
                    if (key != "{OriginalFormat}")
                    {
                        json.WriteString(key, value is null ? null : LogRedaction.Redact(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty));
                    }
                }

                json.WriteEndObject();
            }

            if (logEntry.Exception is { } exception)
            {
                json.WriteString("exception", LogRedaction.Redact(exception.ToString()));
            }

            json.WriteEndObject();
        }

        textWriter.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        textWriter.Write('\n');
    }
}
