using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ActorQuotes.Contracts.Tickers;
using Akka.Actor;

namespace ActorQuotes.Actors.Observability;

/// <summary>
/// This node's counters and histograms as <see cref="System.Diagnostics.Metrics"/> instruments, one set per
/// actor system (an Akka extension), so nodes sharing a process (tests) keep their own figures. A
/// <see cref="MeterListener"/> owned by the extension folds every measurement into totals that
/// <see cref="Snapshot"/> reads for <c>/metrics</c>; other listeners (OpenTelemetry) can subscribe to
/// <see cref="MeterName"/> as well. Recording a measurement allocates nothing.
/// </summary>
public sealed class NodeMetrics : IExtension, IDisposable
{
    public const string MeterName = "ActorQuotes";

    /// <summary>Upper bounds (seconds) of the journal write latency buckets.</summary>
    public static readonly double[] LatencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter;
    private readonly MeterListener _listener;
    private readonly ConcurrentDictionary<Instrument, CounterTotals> _counters = new();
    private readonly ConcurrentDictionary<Instrument, HistogramTotals> _histograms = new();

    public NodeMetrics()
    {
        _meter = new Meter(MeterName);
        FramesSent = _meter.CreateCounter<long>("actorquotes.frames.sent", "{frame}", "Frames (data and heartbeats) handed to WebSockets");
        StreamWrites = _meter.CreateCounter<long>("actorquotes.stream.writes", "{write}",
            "Writes to stream sockets' connections; frames sent together in a batch share one");
        UpdatesConflated = _meter.CreateCounter<long>("actorquotes.updates.conflated", "{update}",
            "Quotes that replaced an unsent quote of the same symbol in a session (folded into a later frame)");
        StaleQuotesDropped = _meter.CreateCounter<long>("actorquotes.stale_quotes.dropped", "{quote}",
            "Quotes not forwarded because their quote_sequence was below the last one forwarded for the symbol (from an earlier incarnation of its ticker)");
        SlowConsumerCloses = _meter.CreateCounter<long>("actorquotes.slow_consumer.closes", "{socket}", "Sockets closed with 4408");
        TicksAccepted = _meter.CreateCounter<long>("actorquotes.ticks.accepted", "{tick}", "Ticks accepted by tickers");
        TicksRejected = _meter.CreateCounter<long>("actorquotes.ticks.rejected", "{tick}", "Ticks refused by tickers, by reason");
        PubSubPublishes = _meter.CreateCounter<long>("actorquotes.pubsub.publishes", "{message}", "Messages published on DistributedPubSub, by topic kind");
        JournalWriteSeconds = _meter.CreateHistogram<double>("actorquotes.journal.write.duration", "s",
            "From Persist to the write confirmed, per command (watchlists and accounts)");

        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (!ReferenceEquals(instrument.Meter, _meter))
                {
                    return;
                }

                listener.EnableMeasurementEvents(instrument, instrument is Histogram<double>
                    ? _histograms.GetOrAdd(instrument, _ => new HistogramTotals())
                    : _counters.GetOrAdd(instrument, _ => new CounterTotals()));
            },
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((CounterTotals)state!).Add(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, _, state) => ((HistogramTotals)state!).Record(value));
        _listener.Start();

        // Every labelled series exists from the start (at 0), so rate() and absent() see it before the first event.
        foreach (var reason in Enum.GetValues<TickRejection>())
        {
            TicksRejected.Add(0, new KeyValuePair<string, object?>("reason", reason.ToCode()));
        }

        foreach (var topic in TopicKinds)
        {
            Published(topic, 0);
        }
    }

    /// <summary>The topic kinds <see cref="PubSubPublishes"/> is labelled with.</summary>
    public static IReadOnlyList<string> TopicKinds { get; } = ["quotes", "watchlist", "account"];

    public Counter<long> FramesSent { get; }

    /// <summary>Counted by the gateway's batching connections only (none while <c>Streaming:BatchFrames</c> is off).</summary>
    public Counter<long> StreamWrites { get; }

    public Counter<long> UpdatesConflated { get; }

    /// <summary>Counted once per quote by the node's fan-out, and by a session for what got past it.</summary>
    public Counter<long> StaleQuotesDropped { get; }

    public Counter<long> SlowConsumerCloses { get; }

    public Counter<long> TicksAccepted { get; }

    public Counter<long> TicksRejected { get; }

    public Counter<long> PubSubPublishes { get; }

    public Histogram<double> JournalWriteSeconds { get; }

    /// <summary>The node's metrics: one instance per actor system, created on first use.</summary>
    public static NodeMetrics Get(ActorSystem system) => system.WithExtension<NodeMetrics, NodeMetricsProvider>();

    /// <summary>A rejected tick, labelled with its reason in snake_case (<c>outside_band</c>).</summary>
    public void TickRejected(TickRejection reason) =>
        TicksRejected.Add(1, new KeyValuePair<string, object?>("reason", reason.ToCode()));

    /// <summary>One publish on a topic of <paramref name="topicKind"/> (<c>quotes</c>, <c>watchlist</c>, <c>account</c>).</summary>
    public void Published(string topicKind, long count = 1) => PubSubPublishes.Add(count, new KeyValuePair<string, object?>("topic", topicKind));

    /// <summary>Totals so far, instrument by instrument.</summary>
    public MetricsSnapshot Snapshot()
    {
        var counters = _counters
            .Select(kv => new CounterSnapshot(kv.Key.Name, kv.Key.Description ?? string.Empty, kv.Key.Unit, kv.Value.Read()))
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToArray();
        var histograms = _histograms
            .Select(kv => kv.Value.Read(kv.Key.Name, kv.Key.Description ?? string.Empty, kv.Key.Unit))
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ToArray();
        return new MetricsSnapshot(counters, histograms);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _meter.Dispose();
    }

    /// <summary>A counter's total per label value (its one label, or none).</summary>
    private sealed class CounterTotals
    {
        private readonly ConcurrentDictionary<(string Key, string Value), StrongBox> _labelled = new();
        private long _unlabelled;

        public void Add(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length == 0)
            {
                Interlocked.Add(ref _unlabelled, value);
                return;
            }

            var key = (tags[0].Key, tags[0].Value as string ?? tags[0].Value?.ToString() ?? string.Empty);
            var box = _labelled.GetOrAdd(key, static _ => new StrongBox());
            Interlocked.Add(ref box.Value, value);
        }

        public IReadOnlyList<LabelledValue> Read()
        {
            var values = _labelled
                .Select(kv => new LabelledValue(kv.Key.Key, kv.Key.Value, Interlocked.Read(ref kv.Value.Value)))
                .OrderBy(v => v.LabelValue, StringComparer.Ordinal)
                .ToList();
            if (values.Count == 0 || Interlocked.Read(ref _unlabelled) != 0)
            {
                values.Insert(0, new LabelledValue(null, null, Interlocked.Read(ref _unlabelled)));
            }

            return values;
        }
    }

    private sealed class StrongBox
    {
        public long Value;
    }

    private sealed class HistogramTotals
    {
        private readonly long[] _buckets = new long[LatencyBuckets.Length];
        private readonly Lock _sumLock = new();
        private long _count;
        private double _sum;

        public void Record(double value)
        {
            var i = Array.BinarySearch(LatencyBuckets, value);
            i = i < 0 ? ~i : i; // the first bound ≥ value
            if (i < _buckets.Length)
            {
                Interlocked.Increment(ref _buckets[i]);
            }

            lock (_sumLock)
            {
                _sum += value;
                _count++;
            }
        }

        public HistogramSnapshot Read(string name, string description, string? unit)
        {
            long count;
            double sum;
            lock (_sumLock)
            {
                count = _count;
                sum = _sum;
            }

            var cumulative = new long[_buckets.Length];
            long running = 0;
            for (var i = 0; i < _buckets.Length; i++)
            {
                running += Interlocked.Read(ref _buckets[i]);
                cumulative[i] = running;
            }

            return new HistogramSnapshot(name, description, unit, LatencyBuckets, cumulative, Math.Max(count, running), sum);
        }
    }
}

/// <summary>Creates one <see cref="NodeMetrics"/> per actor system and disposes it when the system ends.</summary>
public sealed class NodeMetricsProvider : ExtensionIdProvider<NodeMetrics>
{
    public override NodeMetrics CreateExtension(ExtendedActorSystem system)
    {
        var metrics = new NodeMetrics();
        system.RegisterOnTermination(metrics.Dispose);
        return metrics;
    }
}

public sealed record MetricsSnapshot(IReadOnlyList<CounterSnapshot> Counters, IReadOnlyList<HistogramSnapshot> Histograms);

public sealed record CounterSnapshot(string Name, string Description, string? Unit, IReadOnlyList<LabelledValue> Values);

/// <summary>One series of a counter: no label (<paramref name="LabelName"/> null) or one label and its value.</summary>
public sealed record LabelledValue(string? LabelName, string? LabelValue, long Value);

/// <summary>Cumulative bucket counts (<c>le</c> each bound), the count of all observations and their sum.</summary>
public sealed record HistogramSnapshot(string Name, string Description, string? Unit, IReadOnlyList<double> Bounds,
    IReadOnlyList<long> CumulativeCounts, long Count, double Sum);
