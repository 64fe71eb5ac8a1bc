using System.Text;
using System.Threading.Channels;
using ActorQuotes.Actors.Catalog;
using ActorQuotes.Actors.Sessions;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Sessions;
using ActorQuotes.Contracts.Tickers;
using Akka.Cluster.Tools.PublishSubscribe;

namespace ActorQuotes.Actors.Tests;

public sealed class QuoteSessionActorTests(ITestOutputHelper output) : ActorQuotesTestKit(output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact(DisplayName = "Following more than 500 symbols on one socket is refused with too_many_symbols and changes nothing")]
    public async Task Symbol_limit()
    {
        var big = new CompanyCatalog(Enumerable.Range(1, 600).Select(i => new Company(i, "S" + i, "Company " + i, "NYSE", "USD", 10)));
        var sink = new ChannelSink();
        var mediator = CreateTestProbe();
        var session = Sys.ActorOf(QuoteSessionActor.Props(
            new SessionUser(1, "alice", "t", DateTimeOffset.MaxValue),
            sink,
            new SessionServices(CreateTestProbe().Ref, CreateTestProbe().Ref, mediator.Ref, big, new StreamingOptions(), TimeProvider.System),
            new StreamPace(TimeSpan.Zero, false)));

        session.Tell(new SubscribeSymbols(Enumerable.Range(1, 500).Select(i => "S" + i).ToArray()));
        var accepted = await sink.Next(Wait);
        session.Tell(new SubscribeSymbols(["S501"]));
        var refused = await sink.Next(Wait);
        session.Tell(new UnsubscribeSymbols(["S1"]));
        session.Tell(new SubscribeSymbols(["S501"]));
        await sink.Next(Wait);
        var swapped = await sink.Next(Wait);

        Assert.StartsWith("""{"type":"subscribed","sequence":1,"symbols":["S1","S10",""", accepted);
        Assert.StartsWith("""{"type":"error","code":"too_many_symbols",""", refused);
        Assert.Contains("\"S501\"", swapped);
        Assert.DoesNotContain("\"S1\",", swapped);
    }

    [Fact(DisplayName = "Quotes for one symbol arriving faster than the interval are conflated to the newest")]
    public async Task Conflates_per_symbol()
    {
        var sink = new ChannelSink();
        var mediator = CreateTestProbe();
        var tickers = CreateTestProbe();
        var session = Sys.ActorOf(QuoteSessionActor.Props(
            new SessionUser(1, "alice", "t", DateTimeOffset.MaxValue),
            sink,
            new SessionServices(CreateTestProbe().Ref, tickers.Ref, mediator.Ref, Catalog, new StreamingOptions(), TimeProvider.System),
            new StreamPace(TimeSpan.FromSeconds(2), false)));
        session.Tell(new SubscribeSymbols(["AAPL"]));
        Assert.Contains("subscribed", await sink.Next(Wait));
        var t0 = DateTimeOffset.UtcNow;
        session.Tell(new Quote("AAPL", 270, 270, t0, 1)); // the first quote goes at once
        Assert.Contains("\"quote_sequence\":1", await sink.Next(Wait));

        for (var i = 2; i <= 1001; i++)
        {
            session.Tell(new Quote("AAPL", 270 + (i / 100.0), 270, t0.AddMilliseconds(i), i));
        }

        var next = await sink.Next(Wait);

        Assert.Contains("\"quote_sequence\":1001", next);
        Assert.Contains("\"sequence\":3", next);
    }

    [Fact(DisplayName = "While the socket has not taken a frame nothing more is sent, each symbol keeps only its newest quote, and sending resumes when the socket takes it")]
    public async Task One_frame_in_flight_when_the_socket_waits()
    {
        var sink = new HeldSink();
        var session = Sys.ActorOf(QuoteSessionActor.Props(
            new SessionUser(1, "alice", "t", DateTimeOffset.MaxValue),
            sink,
            new SessionServices(CreateTestProbe().Ref, CreateTestProbe().Ref, CreateTestProbe().Ref, Catalog, new StreamingOptions(), TimeProvider.System),
            new StreamPace(TimeSpan.Zero, false)));
        session.Tell(new SubscribeSymbols(["AAPL", "7203"]));
        var (subscribed, taken) = await sink.Next(Wait);
        Assert.Contains("subscribed", subscribed);

        // The socket has not taken the subscribed frame: quotes wait, conflated per symbol.
        var t0 = DateTimeOffset.UtcNow;
        for (var i = 1; i <= 50; i++)
        {
            session.Tell(new Quote("AAPL", 270 + i, 270, t0.AddMilliseconds(i), i));
            session.Tell(new Quote("7203", 2600 + i, 2600, t0.AddMilliseconds(i), i));
        }

        // A probe round trip through the session's mailbox: every quote above has been handled.
        session.Tell(GetSessionInfo.Instance, TestActor);
        var info = await ExpectMsgAsync<SessionInfo>(Wait);
        Assert.False(sink.HasMore, "a second frame was handed to the socket while the first was in flight");
        Assert.Equal(1, info.FramesSent);

        taken.SetResult();
        var (first, takenFirst) = await sink.Next(Wait);
        takenFirst.SetResult();
        var (second, takenSecond) = await sink.Next(Wait);
        takenSecond.SetResult();

        Assert.Contains("\"ticker_symbol\":\"AAPL\"", first);
        Assert.Contains("\"quote_sequence\":50", first);
        Assert.Contains("\"ticker_symbol\":\"7203\"", second);
        Assert.Contains("\"quote_sequence\":50", second);
        session.Tell(GetSessionInfo.Instance, TestActor);
        Assert.Equal(3, (await ExpectMsgAsync<SessionInfo>(Wait)).FramesSent);
        Assert.False(sink.HasMore);
    }

    /// <summary>A socket that takes each frame only when the test says so.</summary>
    private sealed class HeldSink : IFrameSink
    {
        private readonly Channel<(string Frame, TaskCompletionSource Taken)> _frames = Channel.CreateUnbounded<(string, TaskCompletionSource)>();

        public bool HasMore => _frames.Reader.TryPeek(out _);

        public Task SendAsync(ReadOnlyMemory<byte> frame)
        {
            var taken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _frames.Writer.TryWrite((Encoding.UTF8.GetString(frame.Span), taken));
            return taken.Task;
        }

        public Task CloseAsync(int closeCode, string reason) => Task.CompletedTask;

        public void Abort()
        {
        }

        public async Task<(string Frame, TaskCompletionSource Taken)> Next(TimeSpan timeout) =>
            await _frames.Reader.ReadAsync().AsTask().WaitAsync(timeout);
    }

    private sealed class ChannelSink : IFrameSink
    {
        private readonly Channel<string> _frames = Channel.CreateUnbounded<string>();

        public Task SendAsync(ReadOnlyMemory<byte> frame)
        {
            _frames.Writer.TryWrite(Encoding.UTF8.GetString(frame.Span));
            return Task.CompletedTask;
        }

        public Task CloseAsync(int closeCode, string reason) => Task.CompletedTask;

        public void Abort()
        {
        }

        public Task<string> Next(TimeSpan timeout) => _frames.Reader.ReadAsync().AsTask().WaitAsync(timeout);
    }
}
