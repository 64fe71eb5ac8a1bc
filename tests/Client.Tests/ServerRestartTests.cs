using System.Net;
using System.Net.Sockets;
using ActorQuotes.Gateway.Tests;

namespace ActorQuotes.Client.Tests;

public sealed class ServerRestartTests
{
    [Fact(DisplayName = "After the server restarts, the same enumerations reconnect: prices again from sequence 1 without a false gap, and the quote stream resubscribes its symbols")]
    public async Task Reconnects_after_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "aq-client-restart-" + Guid.NewGuid().ToString("N"));
        string[] args = ["--urls=http://127.0.0.1:" + FreePort(), "--Feeds:Simulated:Enabled=false", "--Feeds:Ingest:ApiKeys:0=client-restart-key"];
        GatewayHost? second = null;
        var first = await GatewayHost.StartAsync(data, args);
        try
        {
            var (token, _) = await first.Http.RegisterAndLogin(GatewayFixture.NewUsername("crs"));
            var id = await first.Http.CreateWatchlist(token, "Restart");
            await first.Http.PutStock(token, id, "7203", 100, 2500);
            var client = LiveStreamTests.ClientFor(first, token);
            var quoteStream = client.StreamQuotes(["7203", "AAPL"]);
            await using var prices = new EventReader(client.StreamWatchlist(id).ReadAllAsync);
            await using var quotes = new EventReader(quoteStream.ReadAllAsync);
            var before = await prices.NextAsync<PriceUpdate>();
            var subscribedBefore = await quotes.NextAsync<Subscribed>();

            // Read while the node stops, so the clients answer its 1012 and it is not left waiting for them.
            var stopping = first.StopAsync();
            var pricesDropped = await prices.NextAsync<Disconnected>();
            var quotesDropped = await quotes.NextAsync<Disconnected>();
            await stopping.WaitAsync(TimeSpan.FromSeconds(30));
            var pricesSeenBeforeRestart = prices.Seen.Count;
            var quotesSeenBeforeRestart = quotes.Seen.Count;
            second = await GatewayHost.StartAsync(data, args);

            var reconnected = await prices.NextAsync<Connected>();
            var after = await prices.NextAsync<PriceUpdate>();
            var quotesReconnected = await quotes.NextAsync<Connected>();
            var subscribedAfter = await quotes.NextAsync<Subscribed>();

            Assert.Equal(1, before.Sequence);
            Assert.Equal(new Disconnected(1012, "server shutting down", WillRetry: true, pricesDropped.RetryIn), pricesDropped);
            Assert.Equal(new Disconnected(1012, "server shutting down", WillRetry: true, quotesDropped.RetryIn), quotesDropped);
            Assert.InRange(pricesDropped.RetryIn!.Value, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100));

            // While the node was down, each refused attempt was one more Disconnected that will retry.
            Assert.All(prices.Seen.Skip(pricesSeenBeforeRestart).TakeWhile(e => e is not Connected),
                e => Assert.Equal((1006, true), (((Disconnected)e).CloseCode, ((Disconnected)e).WillRetry)));
            Assert.All(quotes.Seen.Skip(quotesSeenBeforeRestart).TakeWhile(e => e is not Connected),
                e => Assert.Equal((1006, true), (((Disconnected)e).CloseCode, ((Disconnected)e).WillRetry)));

            Assert.Equal(2, reconnected.Connection);
            Assert.Equal(1, after.Sequence);
            Assert.Equal(id, after.WatchlistId);
            Assert.Equal(["7203"], after.Stocks.Select(s => s.TickerSymbol));
            Assert.DoesNotContain(prices.Seen, e => e is GapDetected);

            Assert.Equal(2, quotesReconnected.Connection);
            Assert.Equal(1, subscribedAfter.Sequence);
            Assert.Equal(["7203", "AAPL"], subscribedBefore.Symbols);
            Assert.Equal(subscribedBefore.Symbols, subscribedAfter.Symbols);
            Assert.DoesNotContain(quotes.Seen, e => e is GapDetected);
        }
        finally
        {
            await first.DisposeAsync();
            if (second is not null)
            {
                await second.DisposeAsync();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
