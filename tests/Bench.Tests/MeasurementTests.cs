using System.Buffers;
using System.Text;
using ActorQuotes.Bench.LoadGen.Measurement;
using ActorQuotes.Bench.LoadGen.Net;
using ActorQuotes.Bench.LoadGen.Reporting;
using ActorQuotes.Bench.LoadGen.Servers;
using ActorQuotes.Bench.LoadGen.Workloads;
using ActorQuotes.Contracts.Frames;
using ActorQuotes.Contracts.Tickers;

namespace ActorQuotes.Bench.Tests;

public sealed class FrameParsingTests
{
    [Fact(DisplayName = "A quote frame written by the SUT's own frame writer gives back the tick's timestamp to the 100 ns")]
    public void ReadsTheSutsQuoteFrame()
    {
        var sent = new DateTime(2026, 11, 29, 8, 30, 1, DateTimeKind.Utc).AddTicks(1234567);
        var quote = new Quote("BQ0001", 101.25, 100.0, new DateTimeOffset(sent), 42) { Open = 100.5, DayHigh = 101.5, DayLow = 99.5, Volume = 300 };
        var frame = new ArrayBufferWriter<byte>();
        FrameWriter.WriteQuote(frame, 7, FrameWriter.QuoteTail(quote));

        Assert.Equal(FrameKind.Quote, QuoteFrameParser.Kind(frame.WrittenSpan));
        Assert.True(QuoteFrameParser.TryReadTimestamp(frame.WrittenSpan, out var ticks));
        Assert.Equal(sent.Ticks, ticks);
    }

    [Theory(DisplayName = "Timestamps parse with 0 to 7 fractional digits, trailing zeros dropped as System.Text.Json writes them")]
    [InlineData("2026-11-29T08:30:01Z", 0)]
    [InlineData("2026-11-29T08:30:01.5Z", 5_000_000)]
    [InlineData("2026-11-29T08:30:01.123Z", 1_230_000)]
    [InlineData("2026-11-29T08:30:01.0000001Z", 1)]
    [InlineData("2026-11-29T08:30:01.1234567Z", 1_234_567)]
    public void ParsesFractions(string text, long fractionTicks)
    {
        Assert.True(QuoteFrameParser.TryParseUtc(Encoding.ASCII.GetBytes(text), out var ticks));
        Assert.Equal(new DateTime(2026, 11, 29, 8, 30, 1, DateTimeKind.Utc).Ticks + fractionTicks, ticks);
    }

    [Theory(DisplayName = "Malformed timestamps are refused rather than misread")]
    [InlineData("2026-11-29T08:30:01")]
    [InlineData("2026-11-29 08:30:01Z")]
    [InlineData("2026-13-29T08:30:01Z")]
    [InlineData("2026-02-30T08:30:01Z")]
    [InlineData("2026-11-29T08:30:01.12345678Z")]
    [InlineData("2026-11-29T08:30:01.Z")]
    [InlineData("2026-11-29T08:3x:01Z")]
    public void RefusesMalformed(string text) =>
        Assert.False(QuoteFrameParser.TryParseUtc(Encoding.ASCII.GetBytes(text), out _));

    [Fact(DisplayName = "Subscribed, error and heartbeat frames are told apart from quotes")]
    public void Kinds()
    {
        Assert.Equal(FrameKind.Subscribed, QuoteFrameParser.Kind("{\"type\":\"subscribed\",\"sequence\":1,\"symbols\":[]}"u8));
        Assert.Equal(FrameKind.Error, QuoteFrameParser.Kind("{\"type\":\"error\",\"code\":\"unknown_symbol\"}"u8));
        Assert.Equal(FrameKind.Other, QuoteFrameParser.Kind("{\"type\":\"heartbeat\",\"sequence\":3,\"timestamp\":\"2026-11-30T05:00:15\"}"u8));
        Assert.False(QuoteFrameParser.TryReadTimestamp("{\"type\":\"quote\",\"sequence\":1}"u8, out _));
    }

    [Fact(DisplayName = "An ack's accepted count is read; an error frame is not an ack")]
    public void Acks()
    {
        Assert.Equal(998, FeedDriver.ReadAccepted("{\"type\":\"ack\",\"accepted\":998,\"rejected\":[{\"index\":3,\"reason\":\"out_of_order\"}]}"u8));
        Assert.Equal(5, FeedDriver.ReadAccepted("{\"type\":\"ack\",\"rejected\":[],\"accepted\":5}"u8));
        Assert.Equal(-1, FeedDriver.ReadAccepted("{\"type\":\"error\",\"code\":\"bad_request\",\"message\":\"accepted\"}"u8));
    }

    [Theory(DisplayName = "WebSocket frame headers are read in all three length forms, and only once complete")]
    [InlineData(5, 2)]
    [InlineData(125, 2)]
    [InlineData(126, 4)]
    [InlineData(65535, 4)]
    [InlineData(65536, 10)]
    public void FrameHeaders(int length, int headerLength)
    {
        var frame = WebSocketFrames.ClientFrame(FrameHeader.Text, new byte[length], 0x01020304);
        Assert.True(WebSocketFrames.TryReadHeader(frame, out var header));
        Assert.Equal(new FrameHeader(true, FrameHeader.Text, headerLength, length, true), header);
        Assert.Equal(frame.Length, header.FrameLength);
        Assert.False(WebSocketFrames.TryReadHeader(frame.AsSpan(0, headerLength - 1), out _));
    }

    [Fact(DisplayName = "A client frame is masked with its key, as RFC 6455 requires of clients")]
    public void Masking()
    {
        var payload = "{\"action\":\"subscribe\"}"u8.ToArray();
        var frame = WebSocketFrames.ClientFrame(FrameHeader.Text, payload, 0xA1B2C3D4);
        Assert.Equal(0x81, frame[0]);
        Assert.Equal(0x80 | payload.Length, frame[1]);
        byte[] key = [0xA1, 0xB2, 0xC3, 0xD4];
        Assert.Equal(key, frame[2..6]);
        Assert.Equal(payload, frame[6..].Select((b, i) => (byte)(b ^ key[i % 4])).ToArray());
    }
}

public sealed class PacingTests
{
    [Fact(DisplayName = "The pacer owes rate × elapsed events, less those sent")]
    public void DueFollowsTheRate()
    {
        var pacer = new RatePacer(100);
        Assert.Equal(0, pacer.Due(TimeSpan.Zero));
        Assert.Equal(10, pacer.Due(TimeSpan.FromMilliseconds(105)));
        pacer.MarkSent(10);
        Assert.Equal(0, pacer.Due(TimeSpan.FromMilliseconds(109)));
        Assert.Equal(1, pacer.Due(TimeSpan.FromMilliseconds(110)));
        Assert.Equal(10.0, pacer.UntilNext(TimeSpan.FromMilliseconds(100)).TotalMilliseconds, 3);
        Assert.Equal(TimeSpan.Zero, pacer.UntilNext(TimeSpan.FromMilliseconds(120)));
    }

    [Fact(DisplayName = "A producer that falls behind keeps at most the backlog's worth of debt and counts the rest as skipped")]
    public void BacklogIsCapped()
    {
        var pacer = new RatePacer(1000, maxBacklogSeconds: 0.5);
        Assert.Equal(500, pacer.Due(TimeSpan.FromSeconds(3)));
        Assert.Equal(2500, pacer.Skipped);
        pacer.MarkSent(500);
        Assert.Equal(0, pacer.Due(TimeSpan.FromSeconds(3)));
        Assert.Equal(100, pacer.Due(TimeSpan.FromSeconds(3.1)));
    }

    [Fact(DisplayName = "A zero rate owes nothing and polls slowly")]
    public void ZeroRate()
    {
        var pacer = new RatePacer(0);
        Assert.Equal(0, pacer.Due(TimeSpan.FromHours(1)));
        Assert.Equal(TimeSpan.FromMilliseconds(100), pacer.UntilNext(TimeSpan.FromHours(1)));
    }
}

public sealed class SaturationBracketTests
{
    [Fact(DisplayName = "Bisection narrows the ramp's last pass and first failure to the resolution, geometrically")]
    public void BisectsTheRampsBracket()
    {
        var bracket = new SaturationBracket();
        bracket.Record(343.6, passed: true);
        bracket.Record(549.8, passed: true);
        bracket.Record(879.6, passed: false);

        var steps = new List<double>();
        // A server whose true limit is 700 ticks/s.
        while (bracket.Next(1.05) is { } rate)
        {
            steps.Add(rate);
            bracket.Record(rate, rate <= 700);
        }

        Assert.Equal(Math.Sqrt(549.8 * 879.6), steps[0], 6);
        Assert.Equal(4, steps.Count); // 1.6 ^ (1/16) < 1.05 <= 1.6 ^ (1/8)
        Assert.True(bracket.Pass <= 700 && bracket.Fail > 700);
        Assert.True(bracket.Fail / bracket.Pass <= 1.05);
    }

    [Fact(DisplayName = "Without a pass, or without a failure above the highest pass, there is nothing to bisect")]
    public void NeedsBothEnds()
    {
        var bracket = new SaturationBracket();
        Assert.Null(bracket.Next(1.05));

        bracket.Record(100, passed: false);
        Assert.Null(bracket.Next(1.05)); // nothing passed

        bracket.Record(50, passed: true);
        Assert.Equal(Math.Sqrt(50 * 100), bracket.Next(1.05)!.Value, 6);

        bracket.Record(160, passed: true); // a noisy pass above the failure: the limit is above 160
        Assert.Equal(160, bracket.Pass);
        Assert.Null(bracket.Fail);
        Assert.Null(bracket.Next(1.05));
    }

    [Fact(DisplayName = "A failure below the highest pass does not bound the bracket; the lowest failure above it does")]
    public void OnlyFailuresAboveThePassCount()
    {
        var bracket = new SaturationBracket();
        bracket.Record(200, passed: true);
        bracket.Record(150, passed: false);
        bracket.Record(400, passed: false);
        bracket.Record(300, passed: false);

        Assert.Equal(200, bracket.Pass);
        Assert.Equal(300, bracket.Fail);
    }
}

public sealed class HistogramTests
{
    [Fact(DisplayName = "Percentiles of 1..1000 ms come out within HdrHistogram's 3 significant digits")]
    public void Percentiles()
    {
        var recorder = new LatencyRecorder();
        var start = new DateTime(2026, 11, 29, 8, 0, 0, DateTimeKind.Utc).Ticks;
        recorder.Open(start, start + TimeSpan.TicksPerHour);
        for (var ms = 1; ms <= 1000; ms++)
        {
            var sent = start + ms;
            recorder.Record(sent, sent + ms * TimeSpan.TicksPerMillisecond);
        }

        var summary = recorder.Summary();
        Assert.Equal(1000, summary.Count);
        Assert.Equal(1000, recorder.Frames);
        Assert.InRange(summary.P50Ms, 499.5, 500.5);
        Assert.InRange(summary.P99Ms, 989.5, 990.5);
        Assert.InRange(summary.P999Ms, 998.5, 999.5);
        Assert.InRange(summary.MaxMs, 999.5, 1000.5);
    }

    [Fact(DisplayName = "Only frames whose tick was sent inside the window count, however late they arrive; every frame is received")]
    public void Window()
    {
        var recorder = new LatencyRecorder();
        var start = new DateTime(2026, 11, 29, 8, 0, 0, DateTimeKind.Utc).Ticks;
        recorder.Open(start, start + TimeSpan.TicksPerSecond);
        recorder.Record(start - 1, start + 10);                              // sent before: out
        recorder.Record(start, start + TimeSpan.TicksPerSecond * 5);         // sent inside, 5 s late: in
        recorder.Record(start + TimeSpan.TicksPerSecond, start + TimeSpan.TicksPerSecond * 2); // sent at the end: out
        recorder.Record(start + 5, start);                                   // clock skew: counted as 1 µs
        Assert.Equal(2, recorder.Frames);
        Assert.InRange(recorder.Summary().MaxMs, 4995, 5005); // 3 significant digits
        recorder.Recording = false;
        recorder.Record(start + 10, start + 20);
        Assert.Equal(2, recorder.Frames);
        Assert.Equal(5, recorder.Received); // every frame, in the window or not: what the drain after a window watches
    }

    [Fact(DisplayName = "An empty window summarizes to zeros")]
    public void Empty() => Assert.Equal(LatencySummary.Empty, new LatencyRecorder().Summary());

    [Fact(DisplayName = "A phase of several windows counts as its window with the median p99; one disturbed window does not decide")]
    public void MedianByP99()
    {
        static LatencySummary P99(double ms) => new(100, 1, ms, ms, ms);
        var windows = new[] { ("a", P99(60)), ("b", P99(140)), ("c", P99(58)) };
        Assert.Equal("a", LatencySummary.MedianByP99(windows, w => w.Item2).Item1);
        var four = new[] { ("d", P99(70)), ("c", P99(58)), ("e", P99(71)), ("a", P99(60)) };
        Assert.Equal("a", LatencySummary.MedianByP99(four, w => w.Item2).Item1); // 58, 60, 70, 71: the lower middle
        Assert.Equal("x", LatencySummary.MedianByP99(new[] { ("x", P99(5)) }, w => w.Item2).Item1);
        Assert.Equal("lo", LatencySummary.MedianByP99(new[] { ("hi", P99(9)), ("lo", P99(4)) }, w => w.Item2).Item1);
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencySummary.MedianByP99(Array.Empty<(string, LatencySummary)>(), w => w.Item2));
    }
}

public sealed class ProcAndReportTests
{
    [Fact(DisplayName = "CPU seconds are utime + stime from /proc/<pid>/stat, even with spaces in the command name")]
    public void CpuFromStat()
    {
        const string stat = "4242 (dotnet x (y)) S 1 4242 4242 0 -1 4194560 51234 0 12 0 1500 250 0 0 20 0 31 0 12345 270000000000 57000 18446744073709551615";
        Assert.Equal(17.5, ServerProcess.ParseCpuSeconds(stat), 6);
    }

    [Fact(DisplayName = "RSS is VmRSS from /proc/<pid>/status, in bytes, and the thread count is Threads")]
    public void RssFromStatus()
    {
        const string Status = "Name:\tdotnet\nVmPeak:\t 999 kB\nVmRSS:\t  123456 kB\nThreads:\t31\n";
        Assert.Equal(123456L * 1024, ServerProcess.ParseRssBytes(Status));
        Assert.Equal(31, ServerProcess.ParseStatusField(Status, "Threads:"));
        Assert.Equal(0, ServerProcess.ParseStatusField("Name:\tdotnet\n", "Threads:"));
    }

    [Fact(DisplayName = "The live process's own figures are readable")]
    public void OwnProcess()
    {
        Assert.True(ServerProcess.ReadRssBytes(Environment.ProcessId) > 1 << 20);
        Assert.True(ServerProcess.ReadCpuSeconds(Environment.ProcessId) >= 0);
    }

    [Fact(DisplayName = "The PNG encoder writes a valid signature and chunk CRCs")]
    public void PngEncoding()
    {
        Assert.Equal(0xAE426082u, ActorQuotes.Bench.LoadGen.Reporting.Png.Crc32("IEND"u8) ^ 0xFFFFFFFF);
        var canvas = new Canvas(4, 3, 0xFFFFFF);
        canvas.Fill(1, 1, 2, 1, 0xFF0000);
        var png = ActorQuotes.Bench.LoadGen.Reporting.Png.Encode(canvas);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("IHDR"u8.ToArray(), png[12..16]);
        Assert.Equal("IEND"u8.ToArray(), png[^8..^4]);
    }

    [Fact(DisplayName = "The report compares each two-node placement with the single node of the same turns, and W4 uses the median windows")]
    public void ReportW4AndW5()
    {
        static StepResult Window(string phase, double p99) =>
            new(phase, 100, 100, 100_000, 100_000, 1, new LatencySummary(100, p99 / 2, p99, p99, p99), 1, 50, 200 << 20, 210 << 20, 0, 50, true, true);
        // Several half-load windows per lane (the runner takes five), and the figure is the median-p99 one.
        WorkloadResult W5(string server, double saturation, params double[] p99s)
        {
            var result = new WorkloadResult { Workload = "W5", Server = server, DeliverySaturationUpdatesPerSecond = saturation };
            result.Steps.Add(Window("refine p99", 999));
            result.Steps.AddRange(p99s.Select(p => Window("half", p)));
            result.HalfLoad = LatencySummary.MedianByP99(result.Steps.Where(s => s.Phase == "half").ToArray(), s => s.Latency);
            return result;
        }

        var run = new RunResult { StartedUtc = DateTime.UnixEpoch, Command = "bench/run.sh W4 W5", Machine = "test", Quick = false };
        var w4 = new WorkloadResult { Workload = "W4", Server = "SUT" };
        var reading = new[] { Window("all reading", 50), Window("all reading", 90), Window("all reading", 40) };
        var stalled = new[] { Window("10 stalled", 55), Window("10 stalled", 57), Window("10 stalled", 200) };
        w4.AllReading = LatencySummary.MedianByP99(reading, w => w.Latency);
        w4.WithStalled = LatencySummary.MedianByP99(stalled, w => w.Latency);
        run.Results.Add(w4);
        run.Results.Add(W5("SUT-1node", 700_000, 60, 90, 52));
        run.Results.Add(W5(Runner.SharedCoreCluster, 490_000, 75, 300, 70));
        run.Results.Add(W5(Runner.SplitCluster, 700_000, 61.5));

        var md = Report.Markdown(run);
        Assert.Contains("| p99 stalled / all reading | – | 1.14 | – |", md); // 57 / 50, not 200 / 90
        Assert.Contains("SUT-2node (both nodes on the single node's core): delivery saturation, updates/s (single node, same turns) | | 490000 (700000) | | 0.70 × single | | ≥ 0.9 × single | **no** |", md);
        Assert.Contains("SUT-2node: p99 ms at ½ single-node sat., median window (single node) | | 75.00 (60.00) | | +15.00 ms | | added ≤ 2 ms | **no** |", md);
        Assert.Contains("SUT-2node: p50 ms, same windows (single node) | | 37.50 (30.00) | | +7.50 ms |", md);
        Assert.Contains("SUT-2node: p99 ms of every half-load window (single node's) | | 70.0, 75.0, 300.0 (52.0, 60.0, 90.0) |", md);
        Assert.Contains("SUT-2node-split (tickers node on the generator's core): delivery saturation, updates/s (single node, same turns) | | 700000 (700000) | | 1.00 × single | | ≥ 0.9 × single | yes |", md);
        Assert.Contains("SUT-2node-split: p99 ms at ½ single-node sat., median window (single node) | | 61.50 (60.00) | | +1.50 ms | | added ≤ 2 ms | yes |", md);
    }

    [Fact(DisplayName = "Each two-node lane gets a database of its own, named as bench/run.sh creates it")]
    public void LaneDatabases()
    {
        const string server = "Host=127.0.0.1;Port=5433;Username=postgres;Database=postgres";
        Assert.Equal("Host=127.0.0.1;Port=5433;Username=postgres;Database=aq_sut_2node", Target.DatabaseOf(server, Runner.SharedCoreCluster));
        Assert.Equal("Host=127.0.0.1;Port=5433;Username=postgres;Database=aq_sut_2node_split", Target.DatabaseOf(server, Runner.SplitCluster));
        Assert.Equal("Host=h;Database=aq_sut_2node", Target.DatabaseOf("Host=h", Runner.SharedCoreCluster));
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "ActorQuotes.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("not inside the repository");
        }

        var script = File.ReadAllText(Path.Combine(root.FullName, "bench", "run.sh"));
        Assert.Contains("for db in aq_sut_2node aq_sut_2node_split; do", script, StringComparison.Ordinal);
    }

    [Fact(DisplayName = "The benchmark catalog is a CSV the SUT imports: header, then one row per symbol")]
    public void Catalog()
    {
        var path = Path.Combine(Path.GetTempPath(), "aq-bench-test-" + Guid.NewGuid().ToString("N") + ".csv");
        try
        {
            BenchCatalog.WriteCsv(path, 3);
            var lines = File.ReadAllLines(path);
            Assert.Equal("company_id,ticker_symbol,company_name,exchange,currency,previous_close", lines[0]);
            Assert.Equal("100001,BQ0001,Bench Company 1,NASDAQ,USD,100.0", lines[1]);
            Assert.Equal(4, lines.Length);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
