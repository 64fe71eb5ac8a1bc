using System.Buffers;
using System.Text;
using ActorQuotes.Gateway.Ingest;

namespace ActorQuotes.Gateway.Tests.Ingest;

public sealed class FeedAckTests
{
    [Fact(DisplayName = "An ack counts the accepted ticks and lists each rejected one by index and reason, in batch order")]
    public void Lists_rejections_by_index()
    {
        var ack = Write(
            new TickOutcome("7203", 12, null),
            new TickOutcome("NOPE", 0, "unknown_symbol"),
            new TickOutcome("7203", 13, null),
            new TickOutcome("7203", 0, TickSender.UnavailableReason));

        Assert.Equal("""{"type":"ack","accepted":2,"rejected":[{"index":1,"reason":"unknown_symbol"},{"index":3,"reason":"unavailable"}]}""", ack);
    }

    [Fact(DisplayName = "An ack of nothing but accepted ticks has an empty rejected list; the buffer is reused between acks")]
    public void All_accepted()
    {
        var buffer = new ArrayBufferWriter<byte>(16);
        FeedAck.Write(buffer, [new TickOutcome("AAPL", 1, "outside_band")]);
        buffer.ResetWrittenCount();

        FeedAck.Write(buffer, [new TickOutcome("AAPL", 2, null)]);

        Assert.Equal("""{"type":"ack","accepted":1,"rejected":[]}""", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    private static string Write(params TickOutcome[] outcomes)
    {
        var buffer = new ArrayBufferWriter<byte>();
        FeedAck.Write(buffer, outcomes);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
