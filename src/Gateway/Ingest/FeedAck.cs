using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ActorQuotes.Gateway.Ingest;

/// <summary>
/// The feed socket's answer to one message: <c>{"type":"ack","accepted":N,"rejected":[{"index":i,"reason":"…"}]}</c>,
/// written straight into a reused buffer.
/// </summary>
public static class FeedAck
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(IBufferWriter<byte> output, TickOutcome[] outcomes)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        var accepted = 0;
        foreach (var outcome in outcomes)
        {
            accepted += outcome.Reason is null ? 1 : 0;
        }

        writer.WriteStartObject();
        writer.WriteString("type"u8, "ack"u8);
        writer.WriteNumber("accepted"u8, accepted);
        writer.WriteStartArray("rejected"u8);
        for (var i = 0; i < outcomes.Length; i++)
        {
            if (outcomes[i].Reason is { } reason)
            {
                writer.WriteStartObject();
                writer.WriteNumber("index"u8, i);
                writer.WriteString("reason"u8, reason);
                writer.WriteEndObject();
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
