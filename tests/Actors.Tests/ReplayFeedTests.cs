using System.Collections.Immutable;
using ActorQuotes.Actors.Feeds;
using ActorQuotes.Contracts.Tickers;
using ActorQuotes.Gateway.Hosting;

namespace ActorQuotes.Actors.Tests;

public sealed class ReplayFeedTests(ITestOutputHelper output) : ActorQuotesTestKit(output)
{
    private static readonly DateTimeOffset ClockTime = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan TickWait = TimeSpan.FromSeconds(5);
    private static readonly string SamplePath = Path.Combine(AppContext.BaseDirectory, "samples", "replay", "sample.csv");

    [Fact(DisplayName = "The shipped sample parses without a bad row: 60 trades of 7203, AAPL and MSFT in time order, no move over 5%")]
    public void Sample_parses()
    {
        var replay = ReplayCsv.ParseFile(SamplePath);

        Assert.Empty(replay.Errors);
        Assert.Equal(60, replay.Rows.Length);
        Assert.Equal(new ReplayRow(new DateTimeOffset(2026, 12, 1, 9, 0, 3, TimeSpan.FromHours(9)), "7203", 2601, 1600), replay.Rows[0]);
        Assert.Equal(["7203", "AAPL", "MSFT"], replay.Rows.Select(r => r.Symbol).Distinct().Order());
        Assert.All(replay.Rows.Zip(replay.Rows.Skip(1)), pair => Assert.True(pair.Item1.Timestamp <= pair.Item2.Timestamp));
        Assert.All(replay.Rows.Where(r => r.Symbol == "7203"), r => Assert.Equal(Math.Round(r.Price), r.Price));
        Assert.InRange(replay.Rows[^1].Timestamp - replay.Rows[0].Timestamp, TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10));
        foreach (var symbol in new[] { "7203", "AAPL", "MSFT" })
        {
            var prices = replay.Rows.Where(r => r.Symbol == symbol).Select(r => r.Price).ToArray();
            Assert.All(prices.Zip(prices.Skip(1)), p => Assert.InRange(Math.Abs(p.Item2 / p.Item1 - 1), 0, 0.05));
        }
    }

    [Fact(DisplayName = "Bad rows are reported by their line number and left out; the good ones are kept in order")]
    public void Bad_rows_reported_by_line()
    {
        const string csv = """
            timestamp,ticker_symbol,price,volume
            2026-11-27T09:00:00+09:00,7203,2600,100
            2026-11-27T09:00:01,7203,2601,100
            2026-11-27T09:00:02+09:00, ,2601,100
            2026-11-27T09:00:03+09:00,7203,abc,100
            2026-11-27T09:00:04+09:00,7203,-1,100
            2026-11-27T09:00:05+09:00,7203,2602,1.5
            2026-11-27T09:00:06+09:00,7203,2602

            2026-11-27T00:00:07Z,aapl,270.5,
            2026-11-27T08:59:00+09:00,7203,2603,100
            2026-11-27T09:00:08+09:00,7203,NaN,100
            2026-11-27T09:00:09.25+09:00,7203,2604,300
            """;

        var replay = ReplayCsv.Parse(new StringReader(csv));

        Assert.Equal([3, 4, 5, 6, 7, 8, 11, 12], replay.Errors.Select(e => e.Line));
        Assert.Contains("line 10", replay.Errors.Single(e => e.Line == 11).Message, StringComparison.Ordinal);
        Assert.Equal(
            [
                new ReplayRow(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.FromHours(9)), "7203", 2600, 100),
                new ReplayRow(new DateTimeOffset(2026, 11, 27, 0, 0, 7, TimeSpan.Zero), "AAPL", 270.5, 0),
                new ReplayRow(new DateTimeOffset(2026, 11, 27, 9, 0, 9, 250, TimeSpan.FromHours(9)), "7203", 2604, 300),
            ],
            replay.Rows);
    }

    [Fact(DisplayName = "A file without the header is refused at line 1 and nothing is replayed")]
    public void Missing_header()
    {
        var replay = ReplayCsv.Parse(new StringReader("2026-11-27T09:00:00+09:00,7203,2600,100\n"));

        Assert.Empty(replay.Rows);
        Assert.Equal(1, Assert.Single(replay.Errors).Line);
    }

    [Fact(DisplayName = "Replaying the sample sends every row's symbol, price and volume in file order, stamped with the clock's time, then stops")]
    public async Task Replays_sample_in_order()
    {
        var rows = ReplayCsv.ParseFile(SamplePath).Rows;
        var tickers = CreateTestProbe();
        var feed = Sys.ActorOf(ReplayFeedActor.Props(rows, tickers.Ref, new ReplayFeedOptions { Speed = 10_000 }, new ManualClock(ClockTime)));
        Watch(feed);

        foreach (var row in rows)
        {
            var tick = await tickers.ExpectMsgAsync<Tick>(TickWait);
            Assert.Equal(new Tick(row.Symbol, row.Price, row.Volume, ClockTime), tick);
        }

        await ExpectTerminatedAsync(feed, TickWait);
        await tickers.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact(DisplayName = "With Loop the replay starts over after the last row")]
    public async Task Loop_starts_over()
    {
        var rows = Rows(("7203", 2600, 0), ("AAPL", 270.5, 1), ("MSFT", 500.25, 2));
        var tickers = CreateTestProbe();
        var feed = Sys.ActorOf(ReplayFeedActor.Props(rows, tickers.Ref, new ReplayFeedOptions { Speed = 10_000, Loop = true }, new ManualClock(ClockTime)));

        var seen = new List<(string, double)>();
        for (var i = 0; i < 3 * rows.Length; i++)
        {
            var tick = await tickers.ExpectMsgAsync<Tick>(TickWait);
            seen.Add((tick.Symbol, tick.Price));
        }

        Sys.Stop(feed);
        (string, double)[] pass = [("7203", 2600), ("AAPL", 270.5), ("MSFT", 500.25)];
        Assert.Equal([.. pass, .. pass, .. pass], seen);
    }

    [Fact(DisplayName = "Pacing divides the recorded gap by Speed: 20 s at speed 10 arrives after about 2 s, not at once")]
    public async Task Pacing_uses_speed()
    {
        var rows = Rows(("7203", 2600, 0), ("7203", 2601, 20));
        var tickers = CreateTestProbe();
        Sys.ActorOf(ReplayFeedActor.Props(rows, tickers.Ref, new ReplayFeedOptions { Speed = 10 }, new ManualClock(ClockTime)));

        Assert.Equal(2600, (await tickers.ExpectMsgAsync<Tick>(TickWait)).Price);
        await tickers.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(500));
        Assert.Equal(2601, (await tickers.ExpectMsgAsync<Tick>(TickWait)).Price);
    }

    [Fact(DisplayName = "An empty replay stops at once without sending anything")]
    public async Task Empty_replay_stops()
    {
        var tickers = CreateTestProbe();
        var feed = Sys.ActorOf(ReplayFeedActor.Props([], tickers.Ref, new ReplayFeedOptions(), new ManualClock(ClockTime)));
        Watch(feed);

        await ExpectTerminatedAsync(feed, TickWait);
        await tickers.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact(DisplayName = "Starting the replay of a missing file fails with a message naming Feeds:Replay:Path")]
    public void Missing_file_names_the_setting()
    {
        var options = new ReplayFeedOptions { Enabled = true, Path = "no/such/replay.csv" };

        var error = Assert.Throws<FileNotFoundException>(() => FeedSetup.LoadReplay(options, new RecordingLogger()));

        Assert.Contains("Feeds:Replay:Path", error.Message, StringComparison.Ordinal);
        Assert.Contains("no/such/replay.csv", error.Message, StringComparison.Ordinal);
    }

    [Fact(DisplayName = "Loading the replay logs each bad row as path:line: message, and the feed replays the good rows")]
    public async Task Setup_logs_bad_rows_and_starts_the_feed()
    {
        var file = Path.Combine(DataDirectory, "day.csv");
        Directory.CreateDirectory(DataDirectory);
        await File.WriteAllTextAsync(file, """
            timestamp,ticker_symbol,price,volume
            2026-11-27T09:00:00+09:00,7203,2600,100
            2026-11-27T09:00:01+09:00,7203,oops,100
            2026-11-27T09:00:02+09:00,6758,3601,200
            """);
        var logger = new RecordingLogger();
        var tickers = CreateTestProbe();

        var options = new ReplayFeedOptions { Enabled = true, Path = file, Speed = 1000 };
        var rows = FeedSetup.LoadReplay(options, logger);
        Sys.ActorOf(ReplayFeedActor.Props(rows, tickers.Ref, options, new ManualClock(ClockTime)));

        Assert.Equal([$"{file}:3: price 'oops' is not a positive number"], logger.Warnings);
        Assert.Equal(new Tick("7203", 2600, 100, ClockTime), await tickers.ExpectMsgAsync<Tick>(TickWait));
        Assert.Equal(new Tick("6758", 3601, 200, ClockTime), await tickers.ExpectMsgAsync<Tick>(TickWait));
    }

    private static ImmutableArray<ReplayRow> Rows(params (string Symbol, double Price, int Second)[] rows) =>
        [.. rows.Select(r => new ReplayRow(new DateTimeOffset(2026, 11, 27, 9, 0, r.Second, TimeSpan.FromHours(9)), r.Symbol, r.Price, 100))];
}

/// <summary>Keeps the warnings a logger was given, formatted.</summary>
internal sealed class RecordingLogger : Microsoft.Extensions.Logging.ILogger
{
    public List<string> Warnings { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel == Microsoft.Extensions.Logging.LogLevel.Warning)
        {
            Warnings.Add(formatter(state, exception));
        }
    }
}
