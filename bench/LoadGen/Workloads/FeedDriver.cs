using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using ActorQuotes.Bench.LoadGen.Measurement;
using ActorQuotes.Bench.LoadGen.Net;

namespace ActorQuotes.Bench.LoadGen.Workloads;

/// <summary>
/// Drives ticks into a server through its ingest WebSocket (<c>/api/v1/ws/feed</c>), open-loop at a
/// total rate split over several feed sockets. Each socket owns a fixed share of the symbols, so one
/// symbol's ticks stay in order; every tick is stamped with its send time (UTC, 100 ns) in
/// <c>timestamp</c>, which the servers pass through to the quote frames. Prices walk by at most 0.1 %
/// per tick around the reference close, far inside the tickers' 20 % band.
/// </summary>
public sealed class FeedDriver : IAsyncDisposable
{
    public const int MaxBatch = 1000;

    private readonly RawWebSocket[] _feeds;
    private readonly string[][] _symbolsPerFeed;
    private readonly double[][] _prices;
    private readonly double[][] _references;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly System.Threading.Channels.Channel<byte[]>[] _acks;
    private readonly Task[] _readers;
    private volatile Plan _plan = new(0, Stopwatch.GetTimestamp());
    private long _accepted;
    private long _rejected;
    private long _skipped;
    private readonly HdrHistogram.LongConcurrentHistogram _ackMicros = new(1, LatencyRecorder.HighestMicros, 3);
    private long _windowStart = long.MaxValue;
    private long _windowEnd = long.MaxValue;
    private long _windowAccepted;
    private long _windowUpdates;
    private int[][] _weights;
    private string? _lastError;

    private FeedDriver(RawWebSocket[] feeds, string[][] symbolsPerFeed, double[][] references, int[][] weights)
    {
        _feeds = feeds;
        _symbolsPerFeed = symbolsPerFeed;
        _references = references;
        _weights = weights;

        // Each feed socket is read all the time, not only while an ack is due: the SUT pings its feed
        // sockets and drops one that does not answer within 30 s, and a feed sits idle while the other
        // servers take their turns.
        _acks = feeds.Select(_ => System.Threading.Channels.Channel.CreateUnbounded<byte[]>()).ToArray();
        _readers = feeds.Select((feed, i) => Task.Run(async () =>
        {
            try
            {
                while (await feed.ReceiveTextAsync(_stop.Token) is { } message)
                {
                    _acks[i].Writer.TryWrite(message);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
            }
            finally
            {
                _acks[i].Writer.TryComplete();
            }
        })).ToArray();
        _prices = references.Select(r => r.ToArray()).ToArray();
    }

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Ticks the pacer wrote off because the ingest path did not take them in time.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    public string? LastError => _lastError;

    /// <summary>Ticks stamped inside the window and accepted.</summary>
    public long WindowAccepted => Interlocked.Read(ref _windowAccepted);

    /// <summary>Updates those ticks owe the subscribers: the sum of their symbols' subscriber counts.</summary>
    public long WindowUpdates => Interlocked.Read(ref _windowUpdates);

    /// <summary>
    /// How long the server took to acknowledge the window's batches, from the send to the ack: the ingest
    /// path alone (for the SUT, until every tick's ticker has taken it), without the fan-out to sockets.
    /// </summary>
    public LatencySummary AckSummary() => LatencySummary.From(_ackMicros.Copy());

    /// <summary>From now on, counts the ticks stamped in [start, end) (UTC ticks).</summary>
    public void OpenWindow(long startUtcTicks, long endUtcTicks)
    {
        _ackMicros.Reset();
        Interlocked.Exchange(ref _windowAccepted, 0);
        Interlocked.Exchange(ref _windowUpdates, 0);
        Interlocked.Exchange(ref _windowStart, startUtcTicks);
        Interlocked.Exchange(ref _windowEnd, endUtcTicks);
    }

    /// <param name="subscribers">Per symbol, how many sockets follow it (what one of its ticks owes).</param>
    public static async Task<FeedDriver> ConnectAsync(IPEndPoint endpoint, string key, IReadOnlyList<string> symbols, IReadOnlyList<double> closes,
        IReadOnlyList<int> subscribers, int feedSockets, CancellationToken cancellationToken)
    {
        feedSockets = Math.Max(1, Math.Min(feedSockets, symbols.Count));
        var feeds = new RawWebSocket[feedSockets];
        for (var i = 0; i < feeds.Length; i++)
        {
            feeds[i] = await RawWebSocket.ConnectAsync(endpoint, "/api/v1/ws/feed", cancellationToken,
                new Dictionary<string, string> { ["X-Feed-Key"] = key });
        }

        var perFeed = Enumerable.Range(0, feedSockets).Select(f => symbols.Where((_, i) => i % feedSockets == f).ToArray()).ToArray();
        var refs = Enumerable.Range(0, feedSockets).Select(f => closes.Where((_, i) => i % feedSockets == f).ToArray()).ToArray();
        return new FeedDriver(feeds, perFeed, refs, Split(subscribers, feedSockets));
    }

    /// <summary>
    /// Sends one tick per symbol until every one is accepted (the SUT starts a ticker on its first tick,
    /// which may answer <c>unavailable</c> at first).
    /// </summary>
    public async Task PrimeAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        for (var f = 0; f < _feeds.Length; f++)
        {
            for (var offset = 0; offset < _symbolsPerFeed[f].Length; offset += MaxBatch)
            {
                var count = Math.Min(MaxBatch, _symbolsPerFeed[f].Length - offset);
                while (true)
                {
                    var accepted = await SendBatchAsync(f, offset, count, cancellationToken);
                    if (accepted == count)
                    {
                        break;
                    }

                    if (DateTime.UtcNow > deadline)
                    {
                        throw new InvalidOperationException($"ticks were not accepted while priming: {_lastError}");
                    }
                }
            }
        }
    }

    /// <summary>Changes how many sockets follow each symbol (W4 leaves the stalled ones out).</summary>
    public void SetSubscribers(IReadOnlyList<int> subscribers) => _weights = Split(subscribers, _feeds.Length);

    private static int[][] Split(IReadOnlyList<int> values, int feeds) =>
        Enumerable.Range(0, feeds).Select(f => values.Where((_, i) => i % feeds == f).ToArray()).ToArray();

    /// <summary>Starts the feed loops (idle until <see cref="SetRate"/>).</summary>
    public void Start()
    {
        for (var f = 0; f < _feeds.Length; f++)
        {
            var feed = f;
            _loops.Add(Task.Run(() => RunAsync(feed, _stop.Token)));
        }
    }

    /// <summary>Offers <paramref name="ticksPerSecond"/> in total from now on.</summary>
    public void SetRate(double ticksPerSecond) => _plan = new Plan(ticksPerSecond, Stopwatch.GetTimestamp());

    /// <summary>The rate asked for last (0: idle).</summary>
    public double TicksPerSecond => _plan.PerSecond;

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
        }

        foreach (var feed in _feeds)
        {
            await feed.CloseQuietlyAsync();
            await feed.DisposeAsync();
        }

        await Task.WhenAll(_readers).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task RunAsync(int feed, CancellationToken cancellationToken)
    {
        Plan? current = null;
        var pacer = new RatePacer(0);
        var cursor = 0;
        var symbols = _symbolsPerFeed[feed];
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var plan = _plan;
                if (!ReferenceEquals(plan, current))
                {
                    current = plan;
                    pacer = new RatePacer(plan.PerSecond / _feeds.Length);
                }

                var elapsed = Stopwatch.GetElapsedTime(plan.Start);
                var skippedBefore = pacer.Skipped;
                var due = pacer.Due(elapsed);
                Interlocked.Add(ref _skipped, pacer.Skipped - skippedBefore);
                if (due == 0)
                {
                    var wait = pacer.UntilNext(elapsed);
                    await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1)
                        : wait > TimeSpan.FromMilliseconds(50) ? TimeSpan.FromMilliseconds(50) : wait, cancellationToken);
                    continue;
                }

                var count = (int)Math.Min(due, MaxBatch);
                await SendRoundRobinAsync(feed, cursor, count, cancellationToken);
                cursor = (cursor + count) % symbols.Length;
                pacer.MarkSent(count);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or InvalidOperationException or System.Threading.Channels.ChannelClosedException)
        {
            _lastError = $"feed socket {feed} failed: {e.Message}";
            Console.Error.WriteLine(_lastError);
        }
    }

    private Task<int> SendRoundRobinAsync(int feed, int cursor, int count, CancellationToken cancellationToken) =>
        SendBatchAsync(feed, cursor, count, cancellationToken);

    /// <summary>Sends <paramref name="count"/> ticks for this feed's symbols from <paramref name="first"/> on (wrapping); returns how many were accepted.</summary>
    private async Task<int> SendBatchAsync(int feed, int first, int count, CancellationToken cancellationToken)
    {
        var symbols = _symbolsPerFeed[feed];
        var prices = _prices[feed];
        var refs = _references[feed];
        var buffer = new ArrayBufferWriter<byte>(count * 96 + 16);
        Span<byte> stamp = stackalloc byte[40];
        var now = DateTime.UtcNow;
        now.TryFormat(stamp, out var stampLength, "O", CultureInfo.InvariantCulture);
        long updates = 0;
        buffer.Write("["u8);
        for (var i = 0; i < count; i++)
        {
            var s = (first + i) % symbols.Length;
            updates += _weights[feed][s];
            var next = prices[s] * (1 + (Random.Shared.NextDouble() - 0.5) * 0.002);
            prices[s] = Math.Round(Math.Clamp(next, refs[s] * 0.85, refs[s] * 1.15), 4);
            if (i > 0)
            {
                buffer.Write(","u8);
            }

            buffer.Write("{\"ticker_symbol\":\""u8);
            buffer.Write(Encoding.ASCII.GetBytes(symbols[s]));
            buffer.Write("\",\"price\":"u8);
            var span = buffer.GetSpan(32);
            Utf8Formatter.TryFormat(prices[s], span, out var written);
            buffer.Advance(written);
            buffer.Write(",\"volume\":100,\"timestamp\":\""u8);
            buffer.Write(stamp[..stampLength]);
            buffer.Write("\"}"u8);
        }

        buffer.Write("]"u8);
        var sent = Stopwatch.GetTimestamp();
        await _feeds[feed].SendTextAsync(buffer.WrittenMemory, cancellationToken);
        var ack = await _acks[feed].Reader.ReadAsync(cancellationToken);
        var ackMicros = (long)Stopwatch.GetElapsedTime(sent).TotalMicroseconds;
        var accepted = ReadAccepted(ack);
        if (accepted < 0)
        {
            _lastError = Encoding.UTF8.GetString(ack);
            Interlocked.Add(ref _rejected, count);
            return 0;
        }

        if (accepted < count)
        {
            _lastError = Encoding.UTF8.GetString(ack);
        }

        Interlocked.Add(ref _accepted, accepted);
        Interlocked.Add(ref _rejected, count - accepted);
        if (now.Ticks >= Interlocked.Read(ref _windowStart) && now.Ticks < Interlocked.Read(ref _windowEnd))
        {
            _ackMicros.RecordValue(Math.Clamp(ackMicros, 1, LatencyRecorder.HighestMicros));
            Interlocked.Add(ref _windowAccepted, accepted);
            Interlocked.Add(ref _windowUpdates, accepted == count ? updates : updates * accepted / count);
        }

        return accepted;
    }

    /// <summary>The <c>accepted</c> count of an ack, or -1 when the message is not an ack.</summary>
    public static int ReadAccepted(ReadOnlySpan<byte> ack)
    {
        var key = "\"accepted\":"u8;
        var at = ack.IndexOf(key);
        return at >= 0 && ack.StartsWith("{\"type\":\"ack\""u8) && Utf8Parser.TryParse(ack[(at + key.Length)..], out int accepted, out _)
            ? accepted
            : -1;
    }

    private sealed record Plan(double PerSecond, long Start);
}
