using System.Text;
using System.Threading.Channels;
using ActorQuotes.Actors.Sessions;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Tickers;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Hosting;
using Akka.TestKit;

namespace ActorQuotes.Actors.Tests;

public sealed class SessionMailboxTests(ITestOutputHelper output) : ActorQuotesTestKit(output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
        base.ConfigureAkka(builder, provider);
        // The node's own settings, where the session mailbox is configured.
        builder.AddHoconFile(Path.Combine(AppContext.BaseDirectory, "hocon", "actorquotes.hocon"), HoconAddMode.Prepend);
    }

    [Fact(DisplayName = "Envelopes enqueued by four threads while one reader dequeues all come out once, each thread's in the order it sent them")]
    public async Task Concurrent_enqueue_keeps_count_and_order()
    {
        const int Senders = 4;
        const int PerSender = 200_000;
        var queue = new SessionMessageQueue();
        using var deadline = new CancellationTokenSource(Wait);
        var senders = Enumerable.Range(0, Senders)
            .Select(s => Task.Run(() =>
            {
                for (var i = 0; i < PerSender; i++)
                {
                    queue.Enqueue(ActorRefs.Nobody, new Envelope((s, i), ActorRefs.NoSender));
                }
            }))
            .ToArray();
        var next = new int[Senders];
        var taken = 0;
        var reader = Task.Run(() =>
        {
            while (taken < Senders * PerSender && !deadline.IsCancellationRequested)
            {
                if (queue.TryDequeue(out var envelope))
                {
                    var (sender, index) = ((int, int))envelope.Message;
                    Assert.Equal(next[sender], index);
                    next[sender]++;
                    taken++;
                }
            }
        });

        await Task.WhenAll(senders);
        await reader;

        Assert.Equal(Senders * PerSender, taken);
        Assert.All(next, n => Assert.Equal(PerSender, n));
        Assert.False(queue.HasMessages);
        Assert.Equal(0, queue.Count);
        Assert.False(queue.TryDequeue(out _));
    }

    [Fact(DisplayName = "Count and HasMessages follow enqueues and dequeues; clean-up hands what is left to dead letters in order")]
    public void Count_and_cleanup()
    {
        var queue = new SessionMessageQueue();
        Assert.False(queue.HasMessages);
        for (var i = 0; i < 10; i++)
        {
            queue.Enqueue(ActorRefs.Nobody, new Envelope(i, ActorRefs.NoSender));
        }

        Assert.True(queue.TryDequeue(out var first));
        var deadLetters = new SessionMessageQueue();
        queue.CleanUp(ActorRefs.Nobody, deadLetters);

        Assert.Equal(0, first.Message);
        Assert.Equal(0, queue.Count);
        Assert.False(queue.HasMessages);
        Assert.Equal(9, deadLetters.Count);
        Assert.True(deadLetters.HasMessages);
        for (var i = 1; i < 10; i++)
        {
            Assert.True(deadLetters.TryDequeue(out var envelope));
            Assert.Equal(i, envelope.Message);
        }
    }

    [Fact(DisplayName = "A quote session on the session mailbox (the node's HOCON) gets every quote of a burst, in order, through its wakes")]
    public async Task Session_runs_on_the_mailbox()
    {
        var mediator = CreateTestProbe();
        var hub = Sys.ActorOf(QuoteHubActor.Props(mediator.Ref, CreateTestProbe().Ref));
        var sink = new ChannelSink();
        var session = Sys.ActorOf(QuoteSessionActor.Props(
                new SessionUser(1, "alice", "t", DateTimeOffset.MaxValue),
                sink,
                new SessionServices(CreateTestProbe().Ref, mediator.Ref, hub, Catalog, new StreamingOptions(), TimeProvider.System),
                new StreamPace(TimeSpan.Zero, false))
            .WithMailbox(StreamingOptions.Mailbox));

        session.Tell(new SubscribeSymbols(["AAPL"]));
        Assert.Contains("subscribed", await sink.Next(Wait));
        var topic = await QuoteTopic(mediator);
        var t0 = DateTimeOffset.UtcNow;
        for (var i = 1; i <= 2000; i++)
        {
            topic.Tell(new Quote("AAPL", 270 + (i / 1000.0), 270, t0.AddMilliseconds(i), i));
        }

        // Interval 0: every quote the session takes is sent; a quote may be conflated away, never reordered.
        var last = 0L;
        while (last < 2000)
        {
            var frame = await sink.Next(Wait);
            var at = frame.IndexOf("\"quote_sequence\":", StringComparison.Ordinal) + "\"quote_sequence\":".Length;
            var quoteSequence = long.Parse(frame.AsSpan(at, frame.IndexOfAny([',', '}'], at) - at), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(quoteSequence > last, $"quote {quoteSequence} after {last}");
            last = quoteSequence;
        }

        var queue = ((ActorCell)((ActorRefWithCell)session).Underlying).Mailbox!.MessageQueue;
        Assert.IsType<SessionMessageQueue>(queue);
        Assert.Equal(2000, last);
    }

    private static async Task<IActorRef> QuoteTopic(TestProbe mediator)
    {
        while (true)
        {
            var subscribe = await mediator.ExpectMsgAsync<Subscribe>(Wait);
            if (Topics.SymbolOfQuotes(subscribe.Topic) is not null)
            {
                subscribe.Ref.Tell(new SubscribeAck(subscribe));
                return subscribe.Ref;
            }
        }
    }
}
