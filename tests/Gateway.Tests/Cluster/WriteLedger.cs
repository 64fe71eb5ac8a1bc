using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using ActorQuotes.Gateway.Tests.Infrastructure;

namespace ActorQuotes.Gateway.Tests.Cluster;

/// <summary>
/// Writers that keep putting quantity 1, 2, 3, … of their own symbol into every watchlist of one user, each
/// through one node, as a careful client does: every write has an Idempotency-Key, and a 503, a 504 or no answer
/// is retried with the same key a few times before the writer moves on (its outcome then stays unknown). Every
/// answer is recorded with the time it came, so a test can tell what the cluster promised and when.
/// <see cref="VerifyAsync"/> then checks the promise: every acknowledged quantity is in the history, the history of
/// each watchlist and symbol only ever grows, and the state is the last quantity journaled.
/// </summary>
public sealed class WriteLedger : IAsyncDisposable
{
    /// <summary>How long one attempt waits for an answer (above the gateway's ask timeout, so a live node answers).</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(8);

    private const int AttemptsPerWrite = 3;
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan ReadFor = TimeSpan.FromSeconds(60);

    private readonly ConcurrentQueue<Answer> _answers = new();
    private readonly ConcurrentQueue<Answer> _probes = new();
    private int _probeQuantity;
    private readonly List<Task> _writers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private WriteLedger(string token, IReadOnlyList<long> watchlists)
    {
        Token = token;
        Watchlists = watchlists;
    }

    public string Token { get; }

    public IReadOnlyList<long> Watchlists { get; }

    /// <summary>Time since the ledger was made, the clock of every <see cref="Answer.At"/>.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyCollection<Answer> Answers => _answers;

    /// <summary>A new user with <paramref name="watchlists"/> watchlists, created through <paramref name="via"/>.</summary>
    public static async Task<WriteLedger> CreateAsync(ClusterNode via, string prefix, int watchlists)
    {
        var (token, _) = await via.RegisterAndLogin(GatewayFixture.NewUsername(prefix));
        var ids = new List<long>();
        for (var i = 0; i < watchlists; i++)
        {
            ids.Add(await via.CreateWatchlist(token, $"{prefix} {i}"));
        }

        return new WriteLedger(token, ids);
    }

    /// <summary>Starts a writer of <paramref name="symbol"/> through <paramref name="node"/> (one writer per symbol).</summary>
    public void StartWriter(ClusterNode node, string symbol) => _writers.Add(Task.Run(() => WriteAsync(node, symbol, _stop.Token)));

    /// <summary>
    /// Starts a probe through <paramref name="node"/>: every <paramref name="every"/> one write of <paramref name="symbol"/>
    /// to each watchlist, sent without waiting for the earlier ones and never retried. A writer waits out each
    /// unanswered request (the gateway's 5 s ask), so when writes come back it measures in steps of that; a write a
    /// probe sends into a moving shard waits in the region and is answered the moment the shard is back, so the
    /// first acknowledged probe sent after a fault says when writes came back, to within <paramref name="every"/>.
    /// Probes land in any order, so only "acknowledged means journaled" is checked for them (<see cref="CheckAsync"/>).
    /// </summary>
    public void StartProbe(ClusterNode node, string symbol, TimeSpan every) =>
        _writers.Add(Task.Run(() => ProbeAsync(node, symbol, every, _stop.Token)));

    /// <summary>
    /// When every watchlist had an acknowledged probe that was sent at or after <paramref name="since"/>: the latest of
    /// those first acknowledgements (see <see cref="StartProbe"/>); null while one has none.
    /// </summary>
    public TimeSpan? ProbesBackAfter(TimeSpan since) => AcknowledgedOnEveryWatchlist(_probes.Where(a => a.Sent >= since));

    /// <summary>Acknowledged writes so far, all or through one node.</summary>
    public int Acknowledged(string? via = null) => _answers.Count(a => a.Ok && (via is null || a.Via == via));

    /// <summary>Waits (bounded) until <paramref name="more"/> writes more than now were acknowledged, through one node or any.</summary>
    public async Task<bool> ProgressWithin(TimeSpan timeout, int more, string? via = null)
    {
        var target = Acknowledged(via) + more;
        return await Eventually.TrueWithin(timeout, () => Acknowledged(via) >= target);
    }

    /// <summary>
    /// When every watchlist had an acknowledgement of a write sent after <paramref name="since"/> (through
    /// <paramref name="via"/>, or any node, never through <paramref name="notVia"/>): the latest of those first
    /// acknowledgements; null while one has none.
    /// </summary>
    public TimeSpan? AllWatchlistsAcknowledgedAfter(TimeSpan since, string? via = null, string? notVia = null) =>
        AcknowledgedOnEveryWatchlist(_answers.Where(a => a.Sent >= since && (via is null || a.Via == via) && a.Via != notVia));

    /// <summary>The latest of the watchlists' first acknowledgements among <paramref name="answers"/>; null while one has none.</summary>
    private TimeSpan? AcknowledgedOnEveryWatchlist(IEnumerable<Answer> answers)
    {
        var firsts = answers.Where(a => a.Ok).GroupBy(a => a.WatchlistId).ToDictionary(g => g.Key, g => g.Min(a => a.At));
        return Watchlists.All(firsts.ContainsKey) ? Watchlists.Max(id => firsts[id]) : null;
    }

    /// <summary>
    /// Acknowledged writes through <paramref name="via"/> answered after <paramref name="after"/>, of requests sent
    /// at or after <paramref name="sentFrom"/>. A frozen node's answer to a request it decided before the freeze
    /// reaches the client only after SIGCONT (its bytes were still in the node's output pipe); that write was
    /// durable when decided, so a freeze test counts only requests sent once the freeze had taken hold: any 2xx
    /// among those was decided after the node woke, which the fence forbids.
    /// </summary>
    public IReadOnlyList<Answer> AcknowledgedAfter(string via, TimeSpan after, TimeSpan sentFrom = default) =>
        _answers.Where(a => a.Via == via && a.Ok && a.At > after && a.Sent >= sentFrom).ToList();

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_writers);
        _writers.Clear();
    }

    /// <summary>
    /// Reads every watchlist's history and state through <paramref name="reader"/> and fails unless every acknowledged
    /// quantity was journaled, each symbol's quantities were journaled in the order they were written, and the state
    /// holds the last of them. Returns how many acknowledged writes were checked.
    /// </summary>
    public async Task<int> VerifyAsync(ClusterNode reader)
    {
        var check = await CheckAsync(reader);
        Assert.True(check.Problems.Count == 0, string.Join("\n", check.Problems));
        return check.Acknowledged;
    }

    /// <summary>
    /// What <see cref="VerifyAsync"/> checks, counted rather than asserted, so a long run can report its numbers
    /// before it fails: acknowledged writes checked, acknowledged writes missing from the history, places where a
    /// symbol's history goes backwards, and watchlists whose state is not the last journaled quantity.
    /// </summary>
    public async Task<LedgerCheck> CheckAsync(ClusterNode reader)
    {
        var (acknowledgedCount, missingCount, backwardsCount, wrongStates) = (0, 0, 0, 0);
        var problems = new List<string>();
        var symbols = _answers.Select(a => a.Symbol).Distinct().ToList();
        foreach (var id in Watchlists)
        {
            var history = await Read(reader, $"/api/v1/watchlists/{id}/history");
            var state = await Read(reader, $"/api/v1/watchlists/{id}");
            foreach (var probe in _probes.Where(a => a.WatchlistId == id).GroupBy(a => a.Symbol))
            {
                var journaled = Journaled(history, probe.Key);
                var missing = probe.Where(a => a.Ok).Select(a => a.Quantity).Except(journaled).Order().ToList();
                if (missing.Count > 0)
                {
                    missingCount += missing.Count;
                    problems.Add($"watchlist {id} probe {probe.Key}: acknowledged quantities {string.Join(",", missing)} are not in the history");
                }

                acknowledgedCount += probe.Count(a => a.Ok);
            }

            foreach (var symbol in symbols)
            {
                var journaled = Journaled(history, symbol);
                var acknowledged = _answers.Where(a => a.Ok && a.WatchlistId == id && a.Symbol == symbol).Select(a => a.Quantity).ToHashSet();
                var missing = acknowledged.Except(journaled).Order().ToList();
                if (missing.Count > 0)
                {
                    missingCount += missing.Count;
                    problems.Add($"watchlist {id} {symbol}: acknowledged quantities {string.Join(",", missing)} are not in the history");
                }

                var backwards = journaled.Zip(journaled.Skip(1), (earlier, later) => (Earlier: earlier, Later: later)).Where(p => p.Later <= p.Earlier).ToList();
                if (backwards.Count > 0)
                {
                    backwardsCount += backwards.Count;
                    problems.Add($"watchlist {id} {symbol}: the history has {backwards[0].Later} after {backwards[0].Earlier}: [{string.Join(",", journaled)}]");
                }

                var current = state["stocks"]!.AsArray().FirstOrDefault(s => s!["ticker_symbol"]!.GetValue<string>() == symbol);
                var currentQuantity = current is null ? (int?)null : (int)current["quantity"]!.GetValue<double>();
                if (journaled.Count > 0 && currentQuantity != journaled[^1])
                {
                    wrongStates++;
                    problems.Add($"watchlist {id} {symbol}: the state holds {currentQuantity?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"}, the history ends with {journaled[^1]}");
                }

                acknowledgedCount += acknowledged.Count;
            }
        }

        return new LedgerCheck(acknowledgedCount, missingCount, backwardsCount, wrongStates, problems);
    }

    /// <summary>The quantities <paramref name="history"/> journaled for <paramref name="symbol"/>, in order.</summary>
    private static List<int> Journaled(JsonNode history, string symbol) =>
        history["events"]!.AsArray()
            .Where(e => e!["ticker_symbol"]?.GetValue<string>() == symbol && e["quantity"] is not null)
            .Select(e => (int)e!["quantity"]!.GetValue<double>())
            .ToList();

    /// <summary>Answers counted by node and status (0 = no answer), for the test's output.</summary>
    public string Summary() =>
        string.Join(", ", _answers.GroupBy(a => $"{a.Via} {(a.Status == 0 ? "none" : a.Status.ToString(System.Globalization.CultureInfo.InvariantCulture))}")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}: {g.Count()}"));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task WriteAsync(ClusterNode node, string symbol, CancellationToken stop)
    {
        for (var quantity = 1; !stop.IsCancellationRequested; quantity++)
        {
            foreach (var id in Watchlists)
            {
                var key = $"{symbol}-{id}-{quantity}-{Guid.NewGuid():N}";
                for (var attempt = 1; attempt <= AttemptsPerWrite && !stop.IsCancellationRequested; attempt++)
                {
                    var sent = _clock.Elapsed;
                    var status = await PutOnce(node, id, symbol, quantity, key, stop);
                    _answers.Enqueue(new Answer(node.Name, id, symbol, quantity, status, sent, _clock.Elapsed));
                    if (status is not (0 or (int)HttpStatusCode.ServiceUnavailable or (int)HttpStatusCode.GatewayTimeout))
                    {
                        break;
                    }

                    // A retry pause, not a synchronization: the node is moving a shard, frozen or restarting.
                    await Task.Delay(RetryPause, CancellationToken.None);
                }

                if (stop.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    private async Task ProbeAsync(ClusterNode node, string symbol, TimeSpan every, CancellationToken stop)
    {
        var inFlight = new List<Task>();
        using var timer = new PeriodicTimer(every);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                inFlight.RemoveAll(t => t.IsCompleted);
                foreach (var id in Watchlists)
                {
                    var quantity = Interlocked.Increment(ref _probeQuantity);
                    inFlight.Add(Task.Run(async () =>
                    {
                        var sent = _clock.Elapsed;
                        var status = await PutOnce(node, id, symbol, quantity, $"probe-{symbol}-{id}-{quantity}-{Guid.NewGuid():N}", stop);
                        _probes.Enqueue(new Answer(node.Name, id, symbol, quantity, status, sent, _clock.Elapsed));
                    }, CancellationToken.None));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(inFlight);
    }

    private async Task<int> PutOnce(ClusterNode node, long id, string symbol, int quantity, string key, CancellationToken stop)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
            timeout.CancelAfter(RequestTimeout);
            using var request = ApiClient.Authorized(HttpMethod.Put, $"/api/v1/watchlists/{id}/stocks/{symbol}", Token,
                $$"""{"quantity":{{quantity}},"purchase_price":100}""");
            request.Headers.Add("Idempotency-Key", key);
            using var response = await node.Http.SendAsync(request, timeout.Token);
            return (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // No answer (a frozen, killed or restarting node): neither a promise nor a refusal.
            return 0;
        }
    }

    private async Task<JsonNode> Read(ClusterNode node, string path)
    {
        JsonNode? found = null;
        Assert.True(await Eventually.TrueWithin(ReadFor, async () =>
        {
            using var response = await node.Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, path, Token));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }

            found = await response.ReadJson();
            return true;
        }), $"{path} did not answer 200 through {node.Name}");
        return found!;
    }

    /// <summary>One attempt: status 0 is no answer; <see cref="Sent"/> and <see cref="At"/> are on the ledger's clock.</summary>
    public sealed record Answer(string Via, long WatchlistId, string Symbol, int Quantity, int Status, TimeSpan Sent, TimeSpan At)
    {
        public bool Ok => Status is >= 200 and < 300;
    }
}

/// <summary>The counts of <see cref="WriteLedger.CheckAsync"/>; <see cref="Problems"/> says where, one line each.</summary>
public sealed record LedgerCheck(int Acknowledged, int Missing, int Reordered, int WrongStates, IReadOnlyList<string> Problems);
