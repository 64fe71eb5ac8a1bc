using ActorQuotes.Gateway.Tests;

namespace ActorQuotes.Client.Tests;

/// <summary>The client against the real gateway, whose prices move only when a test ingests ticks.</summary>
public sealed class LiveStreamTests(StreamingFixture fixture) : IClassFixture<StreamingFixture>
{
    private GatewayHost Host => fixture.Host;

    [Fact(DisplayName = "The watchlist stream yields typed price updates with the server's positions, arithmetic and totals")]
    public async Task Watchlist_stream()
    {
        var (token, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("cwl"));
        var id = await Host.Http.CreateWatchlist(token, "Client");
        await Host.Http.PutStock(token, id, "7267", 100, 1500);
        await Host.Http.PutStock(token, id, "KO", 10, 72.5);
        var client = ClientFor(Host, token);
        await using var reader = new EventReader(client.StreamWatchlist(id, new WatchlistStreamOptions { Interval = TimeSpan.Zero }).ReadAllAsync);

        var connected = await reader.NextAsync();
        var first = await reader.NextAsync<PriceUpdate>();
        await fixture.Ingest(("7267", 1600.0));
        var moved = await reader.NextAsync<PriceUpdate>(p => p.Stocks[0].CurrentPrice == 1600.0);

        Assert.Equal(new Connected(Host.WebSocketUri($"/api/v1/ws/watchlist/{id}/prices?interval_ms=0"), 1), connected);
        Assert.Equal(1, first.Sequence);
        Assert.Equal(id, first.WatchlistId);
        Assert.Equal(
            new StockRow
            {
                CompanyId = 14, TickerSymbol = "7267", CompanyName = "本田技研工業株式会社", CurrentPrice = 1550.0, Change = 0.0,
                ChangePercent = 0.0, Quantity = 100, PurchasePrice = 1500, UnrealizedPl = 5000.0,
            },
            first.Stocks[0]);
        Assert.Equal(
            new StockRow
            {
                CompanyId = 47, TickerSymbol = "KO", CompanyName = "The Coca-Cola Company", CurrentPrice = 70.0, Change = 0.0,
                ChangePercent = 0.0, Quantity = 10, PurchasePrice = 72.5, UnrealizedPl = -25.0,
            },
            first.Stocks[1]);
        Assert.Equal(new Totals { MarketValue = 155700.0, Cost = 150725.0, UnrealizedPl = 4975.0, DayChange = 0.0 }, first.Totals);
        Assert.Empty(first.Removed);
        Assert.Equal(TimeSpan.Zero, first.Timestamp.Offset);
        Assert.InRange(first.Timestamp, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));

        Assert.Equal(
            new StockRow
            {
                CompanyId = 14, TickerSymbol = "7267", CompanyName = "本田技研工業株式会社", CurrentPrice = 1600.0, Change = 50.0,
                ChangePercent = 3.23, Quantity = 100, PurchasePrice = 1500, UnrealizedPl = 10000.0,
            },
            moved.Stocks[0]);
        Assert.Equal(new Totals { MarketValue = 160700.0, Cost = 150725.0, UnrealizedPl = 9975.0, DayChange = 5000.0 }, moved.Totals);
        Assert.Equal(
            Enumerable.Range(1, (int)moved.Sequence).Select(i => (long)i),
            reader.Seen.OfType<SequencedFrame>().Select(f => f.Sequence));
        Assert.DoesNotContain(reader.Seen, e => e is GapDetected or Disconnected);
    }

    [Fact(DisplayName = "The quote stream yields Subscribed, then the current quotes, then a new quote after an ingest; unsubscribe narrows the set")]
    public async Task Quote_stream()
    {
        var (token, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("cqs"));
        var client = ClientFor(Host, token);
        var stream = client.StreamQuotes(["6902", "jnj"], new QuoteStreamOptions { Interval = TimeSpan.Zero });
        await using var reader = new EventReader(stream.ReadAllAsync);

        var connected = await reader.NextAsync();
        var subscribed = await reader.NextNotHeartbeatAsync();
        var initial = new[] { await reader.NextNotHeartbeatAsync(), await reader.NextNotHeartbeatAsync() };
        var before = DateTimeOffset.UtcNow;
        await fixture.Ingest(("6902", 2100.0));
        var moved = await reader.NextAsync<QuoteUpdate>(q => q.Price == 2100.0);
        await stream.UnsubscribeAsync(["JNJ"]);
        var narrowed = await reader.NextAsync<Subscribed>();

        Assert.IsType<Connected>(connected);
        Assert.Equal(["6902", "JNJ"], Assert.IsType<Subscribed>(subscribed).Symbols);
        Assert.Equal(1, ((Subscribed)subscribed).Sequence);
        var quotes = initial.Select(q => Assert.IsType<QuoteUpdate>(q)).OrderBy(q => q.TickerSymbol, StringComparer.Ordinal).ToArray();
        Assert.Equal([("6902", 2000.0, 2000.0), ("JNJ", 200.0, 200.0)], quotes.Select(q => (q.TickerSymbol, q.Price, q.PreviousClose)));
        Assert.Equal([2L, 3L], initial.Select(q => ((QuoteUpdate)q!).Sequence));

        Assert.Equal(("6902", 2000.0, 100.0, 5.0, 100L), (moved.TickerSymbol, moved.PreviousClose, moved.Change, moved.ChangePercent, moved.Volume));
        Assert.True(moved.QuoteSequence > quotes[0].QuoteSequence);
        Assert.Equal(TimeSpan.Zero, moved.Timestamp.Offset);
        Assert.InRange(moved.Timestamp, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));

        Assert.Equal(["6902"], narrowed.Symbols);
        Assert.Equal(["6902"], stream.Symbols);
        Assert.DoesNotContain(reader.Seen, e => e is GapDetected or Disconnected or ErrorFrame);
    }

    [Fact(DisplayName = "A bad token ends the stream with 4401 unauthorized and no second attempt")]
    public async Task Bad_token()
    {
        var calls = 0;
        var client = new ActorQuotesClient(new ActorQuotesClientOptions
        {
            BaseUri = Host.BaseAddress,
            TokenProvider = _ =>
            {
                Interlocked.Increment(ref calls);
                return ValueTask.FromResult("not-a-token");
            },
            InitialBackoff = TimeSpan.FromMilliseconds(10),
        });
        await using var reader = new EventReader(client.StreamWatchlist(1).ReadAllAsync);

        var end = await reader.ReadToEndAsync();

        Assert.Equal(
            [typeof(Connected), typeof(ErrorFrame), typeof(Disconnected)],
            reader.Seen.Select(e => e.GetType()));
        Assert.Equal("unauthorized", ((ErrorFrame)reader.Seen[1]).Code);
        Assert.Equal(new Disconnected(4401, "unauthorized", WillRetry: false, RetryIn: null), reader.Seen[2]);
        var closed = Assert.IsType<StreamClosedException>(end);
        Assert.Equal((4401, "unauthorized"), (closed.CloseCode, closed.Code));
        Assert.Equal(1, calls);
    }

    [Fact(DisplayName = "Someone else's watchlist ends the stream with 4404 not_found")]
    public async Task Not_found()
    {
        var (owner, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("cown"));
        var id = await Host.Http.CreateWatchlist(owner, "Mine");
        var (other, _) = await Host.Http.RegisterAndLogin(GatewayFixture.NewUsername("coth"));
        var client = ClientFor(Host, other);
        await using var reader = new EventReader(client.StreamWatchlist(id).ReadAllAsync);

        var end = await reader.ReadToEndAsync();

        Assert.Equal(new Disconnected(4404, "not_found", WillRetry: false, RetryIn: null), reader.Seen[^1]);
        var closed = Assert.IsType<StreamClosedException>(end);
        Assert.Equal((4404, "not_found"), (closed.CloseCode, closed.Code));
    }

    internal static ActorQuotesClient ClientFor(GatewayHost host, string token) =>
        new(new ActorQuotesClientOptions
        {
            BaseUri = host.BaseAddress,
            TokenProvider = _ => ValueTask.FromResult(token),
            InitialBackoff = TimeSpan.FromMilliseconds(100),
            MaxBackoff = TimeSpan.FromSeconds(1),
        });
}
