using System.Net.WebSockets;

namespace ActorQuotes.Client.Tests;

/// <summary>The client against a scripted server: gaps, close codes, backoff, message limits, resubscription.</summary>
public sealed class ScriptedStreamTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact(DisplayName = "A skipped sequence yields GapDetected before the frame; unknown frame types are skipped but counted")]
    public async Task Gap_detected()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(server.Socket(async s =>
        {
            await s.SendAsync(Heartbeat(1));
            await s.SendAsync("""{"type":"market_status","sequence":2,"open":true}""");
            await s.SendAsync(Heartbeat(3));
            await s.SendAsync(Heartbeat(5));
            await s.CloseAsync(4404, "not_found", "not_found");
        }));
        var client = Client(server, Tokens("t"));

        var (events, error) = await ReadAll(client.StreamWatchlist(1).ReadAllAsync());

        Assert.Equal(
            [
                new Connected(new Uri(server.WebSocketBase, "/api/v1/ws/watchlist/1/prices"), 1),
                new Heartbeat { Sequence = 1, Timestamp = Time },
                new Heartbeat { Sequence = 3, Timestamp = Time },
                new GapDetected(4, 5),
                new Heartbeat { Sequence = 5, Timestamp = Time },
                new ErrorFrame { Code = "not_found", Message = "scripted not_found" },
                new Disconnected(4404, "not_found", WillRetry: false, RetryIn: null),
            ],
            events);
        var closed = Assert.IsType<StreamClosedException>(error);
        Assert.Equal((4404, "not_found", "scripted not_found"), (closed.CloseCode, closed.Code, closed.Message));
        Assert.Equal((WebSocketCloseStatus)4404, await server.Sockets.Single().Answer.WaitAsync(Wait));
    }

    [Fact(DisplayName = "Retryable closes and failures reconnect with a fresh token after a doubling backoff that restarts once a socket delivers a frame")]
    public async Task Backoff_and_fresh_tokens()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(
            server.Socket(s => s.CloseAsync(4429, "too_many_sockets", "too_many_sockets")),
            server.Socket(s => s.CloseAsync(1013, "unavailable", "unavailable")),
            server.Socket(async s =>
            {
                await s.SendAsync(Heartbeat(1));
                await s.CloseAsync(1012, "server shutting down");
            }),
            ScriptedServer.Refuse(503),
            server.Socket(s => s.CloseAsync(4401, "unauthorized", "unauthorized")));
        var tokens = Tokens("t1", "t2", "t3", "t4", "t5");
        var client = Client(server, tokens);

        var (events, error) = await ReadAll(client.StreamWatchlist(9, new WatchlistStreamOptions { Interval = TimeSpan.Zero }).ReadAllAsync());

        // Equal jitter with a draw of 0.5 waits three quarters of the ceiling: 50 ms → 37.5 ms, 100 ms → 75 ms.
        var shortWait = TimeSpan.FromMilliseconds(37.5);
        var longerWait = TimeSpan.FromMilliseconds(75);
        var endpoint = new Uri(server.WebSocketBase, "/api/v1/ws/watchlist/9/prices?interval_ms=0");
        Assert.Equal(
            [
                new Connected(endpoint, 1),
                new ErrorFrame { Code = "too_many_sockets", Message = "scripted too_many_sockets" },
                new Disconnected(4429, "too_many_sockets", true, shortWait),
                new Connected(endpoint, 2),
                new ErrorFrame { Code = "unavailable", Message = "scripted unavailable" },
                new Disconnected(1013, "unavailable", true, longerWait),
                new Connected(endpoint, 3),
                new Heartbeat { Sequence = 1, Timestamp = Time },
                new Disconnected(1012, "server shutting down", true, shortWait),
                new Disconnected(1006, "(refused)", true, longerWait),
                new Connected(endpoint, 4),
                new ErrorFrame { Code = "unauthorized", Message = "scripted unauthorized" },
                new Disconnected(4401, "unauthorized", false, null),
            ],
            events.Select(e => e is Disconnected { CloseCode: 1006 } d ? d with { Reason = "(refused)" } : e));
        Assert.Equal((4401, "unauthorized"), (Assert.IsType<StreamClosedException>(error).CloseCode, ((StreamClosedException)error!).Code));
        Assert.Equal(["t1", "t2", "t3", "t4", "t5"], server.Tokens);
        Assert.Equal(5, tokens.Calls);
        var answers = await Task.WhenAll(server.Sockets.Select(s => s.Answer.WaitAsync(Wait)));
        Assert.Equal([(WebSocketCloseStatus)4429, (WebSocketCloseStatus)1013, (WebSocketCloseStatus)1012, (WebSocketCloseStatus)4401], answers);
    }

    [Fact(DisplayName = "With fallback gateways, each retry goes to the next gateway in turn: a closing or dead gateway is left for the next")]
    public async Task Fallback_gateways_in_turn()
    {
        await using var first = await ScriptedServer.StartAsync();
        await using var second = await ScriptedServer.StartAsync();
        first.Enqueue(
            first.Socket(async s =>
            {
                await s.SendAsync(Heartbeat(1));
                await s.CloseAsync(1012, "server shutting down");
            }),
            ScriptedServer.Refuse(503));
        second.Enqueue(
            second.Socket(async s =>
            {
                await s.SendAsync(Heartbeat(1));
                await s.CloseAsync(1013, "unavailable", "unavailable");
            }),
            second.Socket(s => s.CloseAsync(4404, "not_found", "not_found")));
        var client = new ActorQuotesClient(new ActorQuotesClientOptions
        {
            BaseUri = first.BaseAddress,
            FallbackUris = [second.BaseAddress],
            TokenProvider = Tokens("t1", "t2", "t3", "t4").Next,
            InitialBackoff = TimeSpan.FromMilliseconds(50),
            Random = () => 0.5,
        });

        var (events, error) = await ReadAll(client.StreamWatchlist(3).ReadAllAsync());

        Assert.Equal(
            [
                new Uri(first.WebSocketBase, "/api/v1/ws/watchlist/3/prices"),
                new Uri(second.WebSocketBase, "/api/v1/ws/watchlist/3/prices"),
                new Uri(second.WebSocketBase, "/api/v1/ws/watchlist/3/prices"),
            ],
            events.OfType<Connected>().Select(c => c.Endpoint));
        Assert.Equal([1012, 1013, 1006, 4404], events.OfType<Disconnected>().Select(d => d.CloseCode));
        Assert.Equal(4404, Assert.IsType<StreamClosedException>(error).CloseCode);
        Assert.Equal(["t1", "t3"], first.Tokens);
        Assert.Equal(["t2", "t4"], second.Tokens);
    }

    [Fact(DisplayName = "A message over the limit closes the socket with 1009 and ends the stream; smaller ones grow the one buffer")]
    public async Task Message_limit()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(server.Socket(async s =>
        {
            await s.SendAsync(Heartbeat(1, padding: 900));
            await s.SendAsync(Heartbeat(2, padding: 2000));
            await s.AwaitClientCloseAsync();
        }));
        var client = Client(server, Tokens("t"), new() { ReceiveBufferSize = 64, MaxMessageSize = 1024 });

        var (events, error) = await ReadAll(client.StreamWatchlist(1).ReadAllAsync());

        Assert.Equal(
            [typeof(Connected), typeof(Heartbeat), typeof(Disconnected)],
            events.Select(e => e.GetType()));
        Assert.Equal((1009, false), (((Disconnected)events[2]).CloseCode, ((Disconnected)events[2]).WillRetry));
        var closed = Assert.IsType<StreamClosedException>(error);
        Assert.Equal((1009, "message_too_large"), (closed.CloseCode, closed.Code));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await server.Sockets.Single().Answer.WaitAsync(Wait));
    }

    [Fact(DisplayName = "An upgrade refused with HTTP 404 ends the stream at once instead of retrying")]
    public async Task Refused_upgrade()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(ScriptedServer.Refuse(404));
        var tokens = Tokens("t");
        var client = Client(server, tokens);

        var (events, error) = await ReadAll(client.StreamWatchlist(1).ReadAllAsync());

        Assert.Equal([new Disconnected(1006, "the upgrade was refused with HTTP 404", false, null)], events);
        Assert.Equal((1006, "http_404"), (Assert.IsType<StreamClosedException>(error).CloseCode, ((StreamClosedException)error!).Code));
        Assert.Equal(1, tokens.Calls);
    }

    [Fact(DisplayName = "A quote stream sends its set on connect, each change while connected, and the changed set after a reconnect")]
    public async Task Quote_stream_resubscribes()
    {
        await using var server = await ScriptedServer.StartAsync();
        var changesSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Enqueue(
            server.Socket(async s =>
            {
                await s.ReceiveTextAsync();
                await s.SendAsync("""{"type":"subscribed","sequence":1,"symbols":["7203","AAPL"]}""");
                await s.ReceiveTextAsync();
                await s.ReceiveTextAsync();
                await s.CloseAsync(1012, "server shutting down");
            }),
            server.Socket(async s =>
            {
                await s.ReceiveTextAsync();
                await s.SendAsync("""{"type":"subscribed","sequence":1,"symbols":["7203","MSFT"]}""");
                await s.CloseAsync(4401, "unauthorized", "unauthorized");
            }));
        var client = Client(server, Tokens("t1", "t2"));
        var stream = client.StreamQuotes(["7203", "aapl", " ", "AAPL"], new QuoteStreamOptions { Interval = TimeSpan.FromMilliseconds(100) });
        await using var reader = new EventReader(stream.ReadAllAsync);

        var first = await reader.NextAsync<Subscribed>();
        await stream.SubscribeAsync(["MSFT"]);
        await stream.UnsubscribeAsync(["AAPL"]);
        var again = await reader.NextAsync<Subscribed>();
        var end = await reader.ReadToEndAsync();

        Assert.Equal(["7203", "AAPL"], first.Symbols);
        Assert.Equal(["7203", "MSFT"], again.Symbols);
        Assert.Equal(["7203", "MSFT"], stream.Symbols);
        Assert.Equal(
            [
                """{"action":"subscribe","symbols":["7203","aapl"]}""",
                """{"action":"subscribe","symbols":["MSFT"]}""",
                """{"action":"unsubscribe","symbols":["AAPL"]}""",
            ],
            server.Sockets.First().Received);
        Assert.Equal(["""{"action":"subscribe","symbols":["7203","MSFT"]}"""], server.Sockets.Last().Received);
        Assert.Equal(new Disconnected(1012, "server shutting down", true, TimeSpan.FromMilliseconds(37.5)), reader.Seen.OfType<Disconnected>().First());
        Assert.Equal(4401, Assert.IsType<StreamClosedException>(end).CloseCode);
    }

    [Fact(DisplayName = "A forward jump in quote_sequence (a ticker that moved after a crash) is handed through and is not a gap")]
    public async Task Quote_sequence_jump_is_not_a_gap()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(server.Socket(async s =>
        {
            await s.ReceiveTextAsync();
            await s.SendAsync("""{"type":"subscribed","sequence":1,"symbols":["7203"]}""");
            await s.SendAsync(QuoteFrame(2, 641));
            await s.SendAsync(QuoteFrame(3, 2001));
            await s.CloseAsync(4401, "unauthorized", "unauthorized");
        }));
        var client = Client(server, Tokens("t"));

        var (events, _) = await ReadAll(client.StreamQuotes(["7203"]).ReadAllAsync());

        Assert.Empty(events.OfType<GapDetected>());
        Assert.Equal([641L, 2001L], events.OfType<QuoteUpdate>().Select(q => q.QuoteSequence));

        static string QuoteFrame(long sequence, long quoteSequence) =>
            $$"""{"type":"quote","sequence":{{sequence}},"ticker_symbol":"7203","price":2650.0,"previous_close":2600.0,"change":50.0,"change_percent":1.92,"open":2610.0,"day_high":2660.0,"day_low":2600.0,"volume":100,"timestamp":"2026-01-02T03:04:05Z","quote_sequence":{{quoteSequence}}}""";
    }

    private static readonly DateTimeOffset Time = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static string Heartbeat(long sequence, int padding = 0) =>
        $$"""{"type":"heartbeat","sequence":{{sequence}},"timestamp":"2026-01-02T03:04:05","pad":"{{new string('x', padding)}}"}""";

    private static ActorQuotesClient Client(ScriptedServer server, TokenSource tokens, ClientTweaks? tweaks = null) =>
        new(new ActorQuotesClientOptions
        {
            BaseUri = server.BaseAddress,
            TokenProvider = tokens.Next,
            InitialBackoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromSeconds(1),
            Jitter = BackoffJitter.Equal,
            Random = () => 0.5,
            ReceiveBufferSize = tweaks?.ReceiveBufferSize ?? 16 * 1024,
            MaxMessageSize = tweaks?.MaxMessageSize ?? 4 * 1024 * 1024,
        });

    private static TokenSource Tokens(params string[] tokens) => new(tokens);

    /// <summary>Reads a whole enumeration (bounded); returns its events and the exception that ended it.</summary>
    private static async Task<(List<StreamEvent> Events, Exception? Error)> ReadAll(IAsyncEnumerable<StreamEvent> stream)
    {
        var events = new List<StreamEvent>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await foreach (var e in stream.WithCancellation(timeout.Token))
            {
                events.Add(e);
            }

            return (events, null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (events, e);
        }
    }

    private sealed record ClientTweaks
    {
        public int? ReceiveBufferSize { get; init; }

        public int? MaxMessageSize { get; init; }
    }

    /// <summary>Hands out the given tokens in order and counts the calls.</summary>
    private sealed class TokenSource(string[] tokens)
    {
        private int _calls;

        public int Calls => _calls;

        public ValueTask<string> Next(CancellationToken cancellationToken)
        {
            var i = Interlocked.Increment(ref _calls) - 1;
            return ValueTask.FromResult(i < tokens.Length ? tokens[i] : "extra-" + i);
        }
    }
}
