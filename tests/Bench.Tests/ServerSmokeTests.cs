using ActorQuotes.Bench.LoadGen.Measurement;
using ActorQuotes.Bench.LoadGen.Servers;
using ActorQuotes.Bench.LoadGen.Workloads;

namespace ActorQuotes.Bench.Tests;

/// <summary>
/// Each server the benchmark compares, started as its own process the way the generator starts it, with a
/// tiny load: two subscribers, a few ticks a second. Checks that quotes arrive and carry the tick's
/// timestamp; no timing is asserted.
/// </summary>
public sealed class ServerSmokeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Theory(DisplayName = "Quotes fed through the ingest socket reach the subscribers of each server")]
    [InlineData(ServerKind.B0)]
    [InlineData(ServerKind.Sut)]
    [InlineData(ServerKind.B1)]
    public async Task UpdatesArrive(ServerKind kind)
    {
        var ct = TestContext.Current.CancellationToken;
        var csv = BenchCatalog.WriteCsv(Path.Combine(Path.GetTempPath(), $"aq-bench-smoke-{Guid.NewGuid():N}.csv"), 10);
        try
        {
            var settings = new ServerSettings { BinDirectory = AppContext.BaseDirectory, CatalogCsv = csv, ServerCpus = null };
            await using var target = await Target.StartAsync(kind, settings, ct);
            var symbols = BenchCatalog.Symbols(10);
            var recorder = new LatencyRecorder();
            await using var all = await target.ConnectAsync(symbols, recorder, ct);
            await using var one = await target.ConnectAsync([symbols[3]], recorder, ct);
            await using var feed = await FeedDriver.ConnectAsync(target.Feed.Endpoint, ServerSettings.FeedKey, symbols,
                BenchCatalog.Closes(10), Enumerable.Repeat(1, 10).ToArray(), 2, ct);
            await feed.PrimeAsync(ct);

            // Every subscriber has its first quotes (sent on subscribing or by the priming ticks) …
            await all.QuotesReceived(10).WaitAsync(Deadline, ct);
            await one.QuotesReceived(1).WaitAsync(Deadline, ct);

            // … and then live ones, whose latency the recorder can measure from the stamped timestamp.
            recorder.Open(DateTime.UtcNow.Ticks, DateTime.MaxValue.Ticks);
            feed.Start();
            feed.SetRate(20);
            await all.QuotesReceived(all.Received + 20).WaitAsync(Deadline, ct);
            await one.QuotesReceived(one.Received + 2).WaitAsync(Deadline, ct);
            recorder.Recording = false;
            Assert.True(recorder.Frames >= 20);
            Assert.True(recorder.Summary().Count >= 20);
            Assert.Equal(0, feed.Rejected);
            Assert.True(target.CpuSeconds() > 0);
            Assert.True(target.RssBytes() > 0);
        }
        finally
        {
            File.Delete(csv);
        }
    }
}
