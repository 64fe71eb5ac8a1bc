// Issue 22 item 4: what a sign-in flood costs everyone else. Against a running gateway, measures authenticated
// reads (GET /api/v1/watchlists/{id}, one reader, back to back) and the watchlist stream's gaps between frames,
// first alone, then while 64 clients log in as unknown users as fast as they are answered. Prints the figures
// docs/benchmarks.md records ("Sign-in flood"). Timings only: nothing here passes or fails.
//
//   dotnet run bench/login-flood.cs -- [BASE_URL] [SECONDS_PER_PHASE]     (default http://127.0.0.1:8000, 20)
#:property PublishAot=false

using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;

var baseUrl = new Uri(args.Length > 0 ? args[0] : "http://127.0.0.1:8000");
var phase = TimeSpan.FromSeconds(args.Length > 1 ? int.Parse(args[1]) : 20);
const int Flooders = 64;

using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
var user = "flood_" + Guid.NewGuid().ToString("N")[..10];
(await http.PostAsJsonAsync("/api/v1/auth/register", new { username = user, password = "correct-horse" })).EnsureSuccessStatusCode();
var login = await (await http.PostAsJsonAsync("/api/v1/auth/login", new { username = user, password = "correct-horse" })).EnsureSuccessStatusCode()
    .Content.ReadFromJsonAsync<JsonObject>();
var token = login!["token"]!.GetValue<string>();
http.DefaultRequestHeaders.Authorization = new("Bearer", token);
var created = await (await http.PostAsJsonAsync("/api/v1/watchlists", new { name = "flood" })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>();
var watchlist = created!["watchlist_id"]!.GetValue<long>();
foreach (var symbol in new[] { "7203", "AAPL", "MSFT", "6758", "NVDA" })
{
    (await http.PutAsJsonAsync($"/api/v1/watchlists/{watchlist}/stocks/{symbol}", new { quantity = 10, purchase_price = 100 })).EnsureSuccessStatusCode();
}

// The stream: arrival time of every frame, for the gaps between them.
var frames = new List<long>();
using var socket = new ClientWebSocket();
await socket.ConnectAsync(new Uri(baseUrl.ToString().Replace("http", "ws") + $"api/v1/ws/watchlist/{watchlist}/prices?token={token}"), CancellationToken.None);
var streaming = Task.Run(async () =>
{
    var buffer = new byte[64 * 1024];
    while (socket.State == WebSocketState.Open)
    {
        var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
        if (result.EndOfMessage)
        {
            lock (frames)
            {
                frames.Add(Stopwatch.GetTimestamp());
            }
        }
    }
});

// Warm-up: the read path and the JIT, outside any measured phase.
await Reads(TimeSpan.FromSeconds(5));

var quiet = await Phase(flood: false);
var flooded = await Phase(flood: true);
Console.WriteLine($"gateway {baseUrl}, {phase.TotalSeconds:0} s per phase, {Flooders} concurrent logins of unknown users in the flood");
Print("alone", quiet);
Print("flood", flooded);
await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
return 0;

async Task<PhaseResult> Phase(bool flood)
{
    long start;
    lock (frames)
    {
        frames.Clear();
        start = Stopwatch.GetTimestamp();
    }

    var logins = new Dictionary<HttpStatusCode, int>();
    var retryAfter = 0;
    using var stop = new CancellationTokenSource(phase);
    var flooders = flood
        ? Enumerable.Range(0, Flooders).Select(_ => Task.Run(async () =>
        {
            using var client = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var answer = await client.PostAsJsonAsync("/api/v1/auth/login",
                        new { username = "nobody_" + Guid.NewGuid().ToString("N")[..12], password = "wrong-password" }, stop.Token);
                    lock (logins)
                    {
                        logins[answer.StatusCode] = logins.GetValueOrDefault(answer.StatusCode) + 1;
                        if (answer.StatusCode == HttpStatusCode.ServiceUnavailable && answer.Headers.RetryAfter is not null)
                        {
                            retryAfter++;
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }
        })).ToArray()
        : [];
    var reads = await Reads(phase);
    await Task.WhenAll(flooders);
    long[] arrivals;
    lock (frames)
    {
        arrivals = [start, .. frames];
    }

    var gaps = arrivals.Zip(arrivals.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b).TotalMilliseconds).Order().ToArray();
    return new PhaseResult(reads.Latencies, reads.Failed, gaps, logins, retryAfter);
}

async Task<(double[] Latencies, int Failed)> Reads(TimeSpan length)
{
    var latencies = new List<double>();
    var failed = 0;
    var until = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
    while (Stopwatch.GetTimestamp() < until)
    {
        var sent = Stopwatch.GetTimestamp();
        using var answer = await http.GetAsync($"/api/v1/watchlists/{watchlist}");
        await answer.Content.ReadAsByteArrayAsync();
        latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
        if (!answer.IsSuccessStatusCode)
        {
            failed++;
        }
    }

    return ([.. latencies.Order()], failed);
}

static void Print(string name, PhaseResult r)
{
    Console.WriteLine(
        $"{name}: reads {r.Reads.Length} (failed {r.FailedReads}), p50 {P(r.Reads, 0.50):0.0} ms, p99 {P(r.Reads, 0.99):0.0} ms, max {r.Reads[^1]:0.0} ms; " +
        $"stream frames {r.Gaps.Length}, gap p50 {P(r.Gaps, 0.50):0} ms, p99 {P(r.Gaps, 0.99):0} ms, max {(r.Gaps.Length > 0 ? r.Gaps[^1] : 0):0} ms; " +
        $"logins {string.Join(", ", r.Logins.OrderBy(l => l.Key).Select(l => $"{(int)l.Key}: {l.Value}"))}, 503 with Retry-After {r.RetryAfter}");
}

static double P(double[] sorted, double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

internal sealed record PhaseResult(double[] Reads, int FailedReads, double[] Gaps, Dictionary<HttpStatusCode, int> Logins, int RetryAfter);
