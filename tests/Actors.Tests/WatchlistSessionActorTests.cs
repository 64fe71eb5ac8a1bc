using System.Text;
using System.Threading.Channels;
using ActorQuotes.Actors.Sessions;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Tickers;
using ActorQuotes.Contracts.Watchlists;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.TestKit;

namespace ActorQuotes.Actors.Tests;

public sealed class WatchlistSessionActorTests(ITestOutputHelper output) : ActorQuotesTestKit(output)
{
    private const long WatchlistId = 10;
    private const long UserId = 7;
    private static readonly DateTimeOffset T0 = new(2025, 11, 9, 16, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly RecordingSink _sink = new();

    private (TestProbe Watchlists, TestProbe Tickers, TestProbe Mediator) Probes() =>
        (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());

    private IActorRef StartSession(TestProbe watchlists, TestProbe tickers, TestProbe mediator, TimeProvider? clock = null, DateTimeOffset? tokenExpiresAt = null) =>
        Sys.ActorOf(WatchlistSessionActor.Props(
            WatchlistId,
            new SessionUser(UserId, "alice", "token-1", tokenExpiresAt ?? DateTimeOffset.MaxValue),
            _sink,
            new SessionServices(watchlists.Ref, mediator.Ref, Sys.ActorOf(QuoteHubActor.Props(mediator.Ref, tickers.Ref)), Catalog,
                new StreamingOptions { FrameInterval = TimeSpan.FromMilliseconds(50) },
                clock ?? new ManualClock(T0))));

    [Fact(DisplayName = "The first frame follows the worked example of PROTOTYPE.md field for field")]
    public async Task First_frame_worked_example()
    {
        var (watchlists, tickers, mediator) = Probes();
        var session = StartSession(watchlists, tickers, mediator);

        Assert.Equal(new GetWatchlist(WatchlistId, UserId), await watchlists.ExpectMsgAsync<GetWatchlist>());
        watchlists.Reply(new WatchlistView(WatchlistId, UserId, "Core", [new Position("7203", 100.0, 2500.0)], 2));
        await AckQuoteSubscriptions(mediator, session, "7203");
        Assert.Equal(new GetQuote("7203"), await tickers.ExpectMsgAsync<GetQuote>());
        tickers.Reply(new Quote("7203", 2650.0, 2600.0, T0, 3));

        Assert.Equal(
            """{"type":"price_update","watchlist_id":10,"stocks":[{"company_id":1,"ticker_symbol":"7203","company_name":"トヨタ自動車株式会社","current_price":2650.0,"change":50.0,"change_percent":1.92,"quantity":100.0,"purchase_price":2500.0,"unrealized_pl":15000.0}],"timestamp":"2025-11-09T16:00:00","sequence":1,"totals":{"market_value":265000.0,"cost":250000.0,"unrealized_pl":15000.0,"day_change":5000.0}}""",
            await _sink.NextFrame(Wait));
    }

    [Fact(DisplayName = "A newer quote yields a new frame; an older one is ignored")]
    public async Task Newer_quotes_only()
    {
        var (watchlists, tickers, mediator) = Probes();
        var clock = new ManualClock(T0);
        var session = StartSession(watchlists, tickers, mediator, clock);
        await watchlists.ExpectMsgAsync<GetWatchlist>();
        watchlists.Reply(new WatchlistView(WatchlistId, UserId, "Core", [new Position("AAPL", 10, 200)], 1));
        var topics = await AckQuoteSubscriptions(mediator, session, "AAPL");
        await tickers.ExpectMsgAsync<GetQuote>();
        tickers.Reply(new Quote("AAPL", 270.0, 270.0, T0, 5));
        Assert.Contains("\"current_price\":270.0", await _sink.NextFrame(Wait));

        clock.Advance(TimeSpan.FromSeconds(1));
        topics["AAPL"].Tell(new Quote("AAPL", 265.0, 270.0, T0, 4)); // stale: lower sequence, same time
        topics["AAPL"].Tell(new Quote("AAPL", 280.0, 270.0, T0.AddSeconds(1), 6));

        var frame = await _sink.NextFrame(Wait);
        Assert.Contains("\"current_price\":280.0,\"change\":10.0,\"change_percent\":3.7,\"quantity\":10.0,\"purchase_price\":200.0,\"unrealized_pl\":800.0", frame);
    }

    [Fact(DisplayName = "A token that runs out while the stream is open ends it by the session's clock: unauthorized frame, close 4401")]
    public async Task Expiry_closes_4401()
    {
        var (watchlists, tickers, mediator) = Probes();
        var clock = new ManualClock(T0);
        StartSession(watchlists, tickers, mediator, clock, tokenExpiresAt: T0.AddHours(1));
        await watchlists.ExpectMsgAsync<GetWatchlist>();
        watchlists.Reply(new WatchlistView(WatchlistId, UserId, "Core", [], 1));
        Assert.Contains("price_update", await _sink.NextFrame(Wait));

        // No timer runs for an hour: the periodic check (at most 1 s) compares the clock with the expiry.
        clock.Advance(TimeSpan.FromHours(1));
        string frame;
        do
        {
            frame = await _sink.NextFrame(Wait);
        }
        while (frame.Contains("\"type\":\"heartbeat\"", StringComparison.Ordinal));

        Assert.Equal("""{"type":"error","code":"unauthorized","message":"token expired"}""", frame);
        Assert.Equal((4401, "unauthorized"), await _sink.Closes.Reader.ReadAsync().AsTask().WaitAsync(Wait));
    }

    [Fact(DisplayName = "A token already expired when the session starts ends the stream at once: unauthorized frame, close 4401")]
    public async Task Expired_at_start_closes_4401()
    {
        var (watchlists, tickers, mediator) = Probes();
        StartSession(watchlists, tickers, mediator, new ManualClock(T0), tokenExpiresAt: T0);

        Assert.Equal("""{"type":"error","code":"unauthorized","message":"token expired"}""", await _sink.NextFrame(Wait));
        Assert.Equal((4401, "unauthorized"), await _sink.Closes.Reader.ReadAsync().AsTask().WaitAsync(Wait));
    }

    [Fact(DisplayName = "A watchlist that is missing or not the caller's ends the stream: not_found frame, close 4404")]
    public async Task Not_found_closes_4404()
    {
        var (watchlists, tickers, mediator) = Probes();
        StartSession(watchlists, tickers, mediator);

        await watchlists.ExpectMsgAsync<GetWatchlist>();
        watchlists.Reply(new WatchlistCommandRejected(WatchlistId, WatchlistRejection.NotFound, "watchlist not found"));

        Assert.Equal("""{"type":"error","code":"not_found","message":"watchlist not found"}""", await _sink.NextFrame(Wait));
        Assert.Equal((4404, "not_found"), await _sink.Closes.Reader.ReadAsync().AsTask().WaitAsync(Wait));
    }

    [Fact(DisplayName = "A stock added while streaming is subscribed to and appears in the next frame")]
    public async Task Live_edit()
    {
        var (watchlists, tickers, mediator) = Probes();
        var session = StartSession(watchlists, tickers, mediator, TimeProvider.System);
        await watchlists.ExpectMsgAsync<GetWatchlist>();
        watchlists.Reply(new WatchlistView(WatchlistId, UserId, "Core", [], 1));
        await mediator.ExpectMsgAsync<Subscribe>(); // the account's topic (logout)
        await mediator.ExpectMsgAsync<Subscribe>(); // the watchlist's own topic
        Assert.Contains("\"stocks\":[]", await _sink.NextFrame(Wait));

        session.Tell(new WatchlistChanged(new WatchlistView(WatchlistId, UserId, "Core", [new Position("MSFT", 2, 400)], 2)));
        var subscribe = await mediator.ExpectMsgAsync<Subscribe>();
        Assert.Equal(Topics.Quotes("MSFT"), subscribe.Topic);
        subscribe.Ref.Tell(new SubscribeAck(subscribe)); // the node's fan-out for MSFT subscribed
        await tickers.ExpectMsgAsync<GetQuote>();
        tickers.Reply(new Quote("MSFT", 500.0, 500.0, DateTimeOffset.UtcNow, 1));

        string frame;
        do
        {
            frame = await _sink.NextFrame(Wait);
        }
        while (!frame.Contains("\"current_price\":500.0", StringComparison.Ordinal));

        Assert.Contains("\"ticker_symbol\":\"MSFT\"", frame);
        Assert.Contains("\"unrealized_pl\":200.0", frame);
    }

    /// <summary>
    /// Acknowledges the subscriptions: the session's (account, watchlist) and the node fan-out's, one per
    /// symbol. Returns each symbol's subscriber, which is where a published quote arrives.
    /// </summary>
    private static async Task<Dictionary<string, IActorRef>> AckQuoteSubscriptions(TestProbe mediator, IActorRef session, params string[] symbols)
    {
        var expected = symbols.Select(Topics.Quotes).Append(Topics.Watchlist(WatchlistId)).Append(Topics.Account("alice")).ToHashSet();
        var quoteSubscribers = new Dictionary<string, IActorRef>();
        for (var i = 0; i < expected.Count; i++)
        {
            var subscribe = await mediator.ExpectMsgAsync<Subscribe>();
            Assert.Contains(subscribe.Topic, expected);
            if (Topics.SymbolOfQuotes(subscribe.Topic) is { } symbol)
            {
                quoteSubscribers.Add(symbol, subscribe.Ref);
            }
            else
            {
                Assert.Equal(session, subscribe.Ref);
            }

            subscribe.Ref.Tell(new SubscribeAck(subscribe));
        }

        return quoteSubscribers;
    }

    private sealed class RecordingSink : IFrameSink
    {
        public Channel<string> Frames { get; } = Channel.CreateUnbounded<string>();

        public Channel<(int, string)> Closes { get; } = Channel.CreateUnbounded<(int, string)>();

        public Task SendAsync(ReadOnlyMemory<byte> frame, bool more = false)
        {
            Frames.Writer.TryWrite(Encoding.UTF8.GetString(frame.Span));
            return Task.CompletedTask;
        }

        public void Abort(int closeCode, string reason) => Closes.Writer.TryWrite((-1, "aborted"));

        public Task CloseAsync(int closeCode, string reason)
        {
            Closes.Writer.TryWrite((closeCode, reason));
            return Task.CompletedTask;
        }

        public Task<string> NextFrame(TimeSpan timeout) => Frames.Reader.ReadAsync().AsTask().WaitAsync(timeout);
    }
}
