using System.Text;
using System.Threading.Channels;
using ActorQuotes.Actors.Catalog;
using ActorQuotes.Actors.Observability;
using ActorQuotes.Actors.Sessions;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Sessions;
using ActorQuotes.Contracts.Tickers;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.TestKit;

namespace ActorQuotes.Actors.Tests;

public sealed class QuoteSessionActorTests(ITestOutputHelper output) : ActorQuotesTestKit(output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact(DisplayName = "Following more than 500 symbols on one socket is refused with too_many_symbols and changes nothing")]
    public async Task Symbol_limit()
    {
        var big = new CompanyCatalog(Enumerable.Range(1, 600).Select(i => new Company(i, "S" + i, "Company " + i, "NYSE", "USD", 10)));
        var sink = new ChannelSink();
        var (session, _) = StartSession(sink, big, TimeSpan.Zero);

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
        var (session, mediator) = StartSession(sink, Catalog, TimeSpan.FromSeconds(2));
        session.Tell(new SubscribeSymbols(["AAPL"]));
        Assert.Contains("subscribed", await sink.Next(Wait));
        var topic = (await AckQuoteTopics(mediator, 1))["AAPL"];
        var t0 = DateTimeOffset.UtcNow;
        topic.Tell(new Quote("AAPL", 270, 270, t0, 1)); // the first quote goes at once
        Assert.Contains("\"quote_sequence\":1", await sink.Next(Wait));

        for (var i = 2; i <= 1001; i++)
        {
            topic.Tell(new Quote("AAPL", 270 + (i / 100.0), 270, t0.AddMilliseconds(i), i));
        }

        var next = await sink.Next(Wait);

        Assert.Contains("\"quote_sequence\":1001", next);
        Assert.Contains("\"sequence\":3", next);
    }

    [Fact(DisplayName = "While the socket has not taken a frame nothing more is sent, each symbol keeps only its newest quote, and sending resumes when the socket takes it")]
    public async Task One_frame_in_flight_when_the_socket_waits()
    {
        var sink = new HeldSink();
        var (session, mediator) = StartSession(sink, Catalog, TimeSpan.Zero);
        session.Tell(new SubscribeSymbols(["AAPL", "7203"]));
        var (subscribed, taken) = await sink.Next(Wait);
        Assert.Contains("subscribed", subscribed);
        var topics = await AckQuoteTopics(mediator, 2);

        // The socket has not taken the subscribed frame: quotes wait, conflated per symbol.
        var t0 = DateTimeOffset.UtcNow;
        for (var i = 1; i <= 50; i++)
        {
            topics["AAPL"].Tell(new Quote("AAPL", 270 + i, 270, t0.AddMilliseconds(i), i));
            topics["7203"].Tell(new Quote("7203", 2600 + i, 2600, t0.AddMilliseconds(i), i));
        }

        // Round trips through both fan-outs, then the session: every quote above has reached the session.
        foreach (var topic in topics.Values)
        {
            await topic.Ask<ActorIdentity>(new Identify(null), Wait);
        }

        var info = await session.Ask<SessionInfo>(GetSessionInfo.Instance, Wait);
        Assert.False(sink.HasMore, "a second frame was handed to the socket while the first was in flight");
        Assert.Equal(1, info.FramesSent);

        taken.SetResult();
        var (first, takenFirst) = await sink.Next(Wait);
        takenFirst.SetResult();
        var (second, takenSecond) = await sink.Next(Wait);
        takenSecond.SetResult();

        // One frame per symbol (in the order their first quotes arrived), each with the newest quote.
        string[] frames = [first, second];
        Assert.Single(frames, f => f.Contains("\"ticker_symbol\":\"AAPL\"", StringComparison.Ordinal));
        Assert.Single(frames, f => f.Contains("\"ticker_symbol\":\"7203\"", StringComparison.Ordinal));
        Assert.All(frames, f => Assert.Contains("\"quote_sequence\":50", f));
        Assert.Equal(3, (await session.Ask<SessionInfo>(GetSessionInfo.Instance, Wait)).FramesSent);
        Assert.False(sink.HasMore);
    }

    [Fact(DisplayName = "Frames due at once go to the sink as a batch: each says another follows, except the last")]
    public async Task Frames_due_at_once_are_one_batch()
    {
        var sink = new FirstHeldSink();
        var (session, mediator) = StartSession(sink, Catalog, TimeSpan.Zero);
        session.Tell(new SubscribeSymbols(["AAPL", "7203"]));
        var topics = await AckQuoteTopics(mediator, 2);

        // While the subscribed frame is in flight, a quote of each symbol reaches the session.
        var t0 = DateTimeOffset.UtcNow;
        topics["AAPL"].Tell(new Quote("AAPL", 271, 270, t0, 1));
        topics["7203"].Tell(new Quote("7203", 2601, 2600, t0, 1));
        foreach (var topic in topics.Values)
        {
            await topic.Ask<ActorIdentity>(new Identify(null), Wait);
        }

        await session.Ask<SessionInfo>(GetSessionInfo.Instance, Wait);
        sink.TakeFirst();
        var frames = new[] { await sink.Next(Wait), await sink.Next(Wait), await sink.Next(Wait) };

        Assert.Contains("subscribed", frames[0].Frame);
        Assert.False(frames[0].More); // nothing else was due when it went
        Assert.All(frames[1..], f => Assert.Contains("\"type\":\"quote\"", f.Frame));
        Assert.True(frames[1].More, "the first of two due quote frames should say another follows");
        Assert.False(frames[2].More, "the batch's last frame must not be held");
    }

    [Fact(DisplayName = "A node follows a symbol once however many sessions follow it, and leaves its topic when the last one goes")]
    public async Task One_topic_subscription_per_node()
    {
        var mediator = CreateTestProbe();
        var hub = Sys.ActorOf(QuoteHubActor.Props(mediator.Ref, CreateTestProbe().Ref));
        var sinks = Enumerable.Range(0, 3).Select(_ => new ChannelSink()).ToArray();
        var sessions = sinks.Select(sink => StartSession(sink, Catalog, TimeSpan.Zero, hub, mediator).Session).ToArray();
        foreach (var (session, sink) in sessions.Zip(sinks))
        {
            session.Tell(new SubscribeSymbols(["AAPL"]));
            Assert.Contains("subscribed", await sink.Next(Wait));
        }

        var topic = (await AckQuoteTopics(mediator, 1))["AAPL"];
        topic.Tell(new Quote("AAPL", 271, 270, DateTimeOffset.UtcNow, 1));
        foreach (var sink in sinks)
        {
            Assert.Contains("\"quote_sequence\":1", await sink.Next(Wait));
        }

        sessions[0].Tell(new UnsubscribeSymbols(["AAPL"]));
        await Watch(sessions[1]).GracefulStop(Wait);
        await ExpectTerminatedAsync(sessions[1]);
        sessions[2].Tell(SessionStop.Instance);

        var unsubscribe = await mediator.FishForMessageAsync<Unsubscribe>(m => m is Unsubscribe, Wait);
        Assert.Equal(Topics.Quotes("AAPL"), unsubscribe.Topic);
        Assert.Equal(topic, unsubscribe.Ref);
        await mediator.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200)); // no second subscription, no second leave
    }

    [Fact(DisplayName = "A quote whose sequence is below the last one forwarded for its symbol is not forwarded, and is counted as stale")]
    public async Task Stale_quote_not_forwarded()
    {
        var sink = new ChannelSink();
        var (session, mediator) = StartSession(sink, Catalog, TimeSpan.Zero);
        session.Tell(new SubscribeSymbols(["AAPL"]));
        Assert.Contains("subscribed", await sink.Next(Wait));
        var topic = (await AckQuoteTopics(mediator, 1))["AAPL"];
        var staleBefore = StaleDropped();
        var t0 = DateTimeOffset.UtcNow;

        topic.Tell(new Quote("AAPL", 271, 270, t0, 1005));
        var first = await sink.Next(Wait);
        // An earlier incarnation of the ticker, woken after it was replaced: lower numbers, later times.
        topic.Tell(new Quote("AAPL", 260, 270, t0.AddSeconds(1), 990));
        topic.Tell(new Quote("AAPL", 261, 270, t0.AddSeconds(2), 991));
        topic.Tell(new Quote("AAPL", 271, 270, t0, 1005)); // the same quote again: a repeat, not stale
        topic.Tell(new Quote("AAPL", 272, 270, t0.AddSeconds(3), 1006));
        var second = await sink.Next(Wait);

        Assert.Contains("\"quote_sequence\":1005", first);
        Assert.Contains("\"sequence\":3,", second);
        Assert.Contains("\"quote_sequence\":1006", second);
        Assert.Equal(2, StaleDropped() - staleBefore);
        Assert.Equal(3, (await session.Ask<SessionInfo>(GetSessionInfo.Instance, Wait)).FramesSent);
    }

    [Fact(DisplayName = "Behind a frame the socket has not taken, bad messages leave one error frame waiting (the newest), each message is answered handled, and one past the limit closes with 4422")]
    public async Task Bad_messages_conflate_then_close()
    {
        var sink = new HeldSink();
        var (session, _) = StartSession(sink, Catalog, TimeSpan.Zero, options: new StreamingOptions { MaxBadMessages = 3 });
        session.Tell(new SubscribeSymbols(["AAPL"]));
        var (subscribed, taken) = await sink.Next(Wait);

        foreach (var i in new[] { 1, 2, 3 })
        {
            await session.Ask<ClientMessageHandled>(new ClientMessage(new ClientMessageRejected("bad_request", $"bad {i}")), Wait);
        }

        Assert.False(sink.HasMore, "an error frame was handed to the socket while a frame was in flight");
        taken.SetResult();
        var (error, takenError) = await sink.Next(Wait);
        takenError.SetResult();
        Watch(session);
        await session.Ask<ClientMessageHandled>(new ClientMessage(new ClientMessageRejected("bad_request", "bad 4")), Wait);
        var (closing, takenClosing) = await sink.Next(Wait);
        takenClosing.SetResult();
        await ExpectTerminatedAsync(session);

        Assert.Contains("subscribed", subscribed);
        Assert.Equal("""{"type":"error","code":"bad_request","message":"bad 3"}""", error);
        Assert.StartsWith("""{"type":"error","code":"too_many_bad_messages","message":"more than 3 bad messages within 10 s"}""", closing);
        Assert.Equal(4422, await sink.Closed.Task.WaitAsync(Wait));
        Assert.False(sink.HasMore);
    }

    [Fact(DisplayName = "Behind a frame the socket has not taken, subscribe and unsubscribe messages are answered by one subscribed frame with the set after the latest")]
    public async Task Subscribed_replies_merge_behind_a_held_frame()
    {
        var sink = new HeldSink();
        var (session, _) = StartSession(sink, Catalog, TimeSpan.Zero);
        session.Tell(new SubscribeSymbols(["AAPL"]));
        var (first, taken) = await sink.Next(Wait);

        object[] burst = [new SubscribeSymbols(["7203"]), new SubscribeSymbols(["MSFT"]), new UnsubscribeSymbols(["AAPL"]), new SubscribeSymbols(["7974"])];
        foreach (var message in burst)
        {
            await session.Ask<ClientMessageHandled>(new ClientMessage(message), Wait);
        }

        Assert.False(sink.HasMore, "a frame was handed to the socket while one was in flight");
        taken.SetResult();
        var (merged, takenMerged) = await sink.Next(Wait);
        takenMerged.SetResult();
        var info = await session.Ask<SessionInfo>(GetSessionInfo.Instance, Wait);

        Assert.Equal("""{"type":"subscribed","sequence":1,"symbols":["AAPL"]}""", first);
        Assert.Equal("""{"type":"subscribed","sequence":2,"symbols":["7203","7974","MSFT"]}""", merged);
        Assert.Equal(2, info.FramesSent);
        Assert.False(sink.HasMore);
    }

    private long StaleDropped() =>
        NodeMetrics.Get(Sys).Snapshot().Counters.Single(c => c.Name == "actorquotes.stale_quotes.dropped").Values.Sum(v => v.Value);

    private (IActorRef Session, TestProbe Mediator) StartSession(IFrameSink sink, CompanyCatalog catalog, TimeSpan interval, IActorRef? hub = null, TestProbe? mediator = null,
        StreamingOptions? options = null)
    {
        mediator ??= CreateTestProbe();
        hub ??= Sys.ActorOf(QuoteHubActor.Props(mediator.Ref, CreateTestProbe().Ref));
        var session = Sys.ActorOf(QuoteSessionActor.Props(
            new SessionUser(1, "alice", "t", DateTimeOffset.MaxValue),
            sink,
            new SessionServices(CreateTestProbe().Ref, mediator.Ref, hub, catalog, options ?? new StreamingOptions(), TimeProvider.System),
            new StreamPace(interval, false)));
        return (session, mediator);
    }

    /// <summary>
    /// Acknowledges <paramref name="count"/> quote-topic subscriptions (the node's fan-outs') and returns
    /// each symbol's subscriber, where a published quote arrives. The sessions' account topics are skipped.
    /// </summary>
    private static async Task<Dictionary<string, IActorRef>> AckQuoteTopics(TestProbe mediator, int count)
    {
        var subscribers = new Dictionary<string, IActorRef>();
        while (subscribers.Count < count)
        {
            var subscribe = await mediator.ExpectMsgAsync<Subscribe>(Wait);
            if (Topics.SymbolOfQuotes(subscribe.Topic) is { } symbol)
            {
                subscribers.Add(symbol, subscribe.Ref);
                subscribe.Ref.Tell(new SubscribeAck(subscribe));
            }
        }

        return subscribers;
    }

    /// <summary>A socket that takes its first frame only when the test says so, and every later one at once.</summary>
    private sealed class FirstHeldSink : IFrameSink
    {
        private readonly Channel<(string Frame, bool More)> _frames = Channel.CreateUnbounded<(string, bool)>();
        private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _sent;

        public Task SendAsync(ReadOnlyMemory<byte> frame, bool more = false)
        {
            _frames.Writer.TryWrite((Encoding.UTF8.GetString(frame.Span), more));
            return Interlocked.Increment(ref _sent) == 1 ? _first.Task : Task.CompletedTask;
        }

        public void TakeFirst() => _first.SetResult();

        public Task CloseAsync(int closeCode, string reason) => Task.CompletedTask;

        public void Abort(int closeCode, string reason)
        {
        }

        public async Task<(string Frame, bool More)> Next(TimeSpan timeout) => await _frames.Reader.ReadAsync().AsTask().WaitAsync(timeout);
    }

    /// <summary>A socket that takes each frame only when the test says so.</summary>
    private sealed class HeldSink : IFrameSink
    {
        private readonly Channel<(string Frame, TaskCompletionSource Taken)> _frames = Channel.CreateUnbounded<(string, TaskCompletionSource)>();

        public bool HasMore => _frames.Reader.TryPeek(out _);

        /// <summary>The close code, once the session closed.</summary>
        public TaskCompletionSource<int> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task SendAsync(ReadOnlyMemory<byte> frame, bool more = false)
        {
            var taken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _frames.Writer.TryWrite((Encoding.UTF8.GetString(frame.Span), taken));
            return taken.Task;
        }

        public Task CloseAsync(int closeCode, string reason)
        {
            Closed.TrySetResult(closeCode);
            return Task.CompletedTask;
        }

        public void Abort(int closeCode, string reason)
        {
        }

        public async Task<(string Frame, TaskCompletionSource Taken)> Next(TimeSpan timeout) =>
            await _frames.Reader.ReadAsync().AsTask().WaitAsync(timeout);
    }
}
