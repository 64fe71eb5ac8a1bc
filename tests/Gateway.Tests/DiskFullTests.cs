using System.Diagnostics;
using System.Net;
using ActorQuotes.Gateway.Tests.Infrastructure;

namespace ActorQuotes.Gateway.Tests;

/// <summary>A node's SQLite folder is a real 16 MiB tmpfs, filled to the last byte and then given space again.</summary>
public sealed class DiskFullTests(ITestOutputHelper output)
{
    /// <summary>
    /// How soon after space returns a registration must succeed. Before the fix the journal's circuit breaker
    /// kept every call failing for up to its 30 s reset timeout (25-52 s measured); with a 2 s reset it is the
    /// breaker's next trial plus one ask timeout (5 s) of a request already waiting, on a loaded machine.
    /// </summary>
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(15);

    [Fact(DisplayName = "On a full disk the node says not ready with the reason and writes answer 503 or 504; once space returns, registration works again within 15 s")]
    public async Task Full_disk_and_recovery()
    {
        await using var disk = await TmpfsMount.CreateAsync("16m"); // room for a full WAL (1,000 pages) before its checkpoint
        await using var node = await GatewayProcess.StartAsync(disk.Path, new Dictionary<string, string>
        {
            // Every ticker writes a reservation every other tick, so on a full disk their failures come in a wave
            // and trip the journal's circuit breaker, as a day's ticks did in minutes. SQLite first reuses the
            // WAL it has (up to 1,000 pages, 4 MiB, one page or more per commit): at 50 commits a second the
            // writes fail within about 20 s of the fill.
            ["Tickers:SequenceBlock"] = "2",
            ["Feeds:Simulated:TicksPerSecond"] = "50",
        });
        var (token, _) = await node.Http.RegisterAndLogin("before_full");
        var watchlist = await node.Http.CreateWatchlist(token, "Kept");
        var healthAnswers = new List<HttpStatusCode>();

        var fill = await disk.FillAsync("fill");
        var sinceFull = Stopwatch.StartNew();

        // Readiness turns 503 and says why, while the process stays live.
        string? journal = null;
        var unready = await Eventually.TrueWithin(TimeSpan.FromSeconds(30), async () =>
        {
            using var ready = await node.Http.GetAsync("/health/ready");
            healthAnswers.Add(ready.StatusCode);
            journal = (await ready.ReadJson())["checks"]!["journal"]!["description"]!.GetValue<string>();
            return ready.StatusCode == HttpStatusCode.ServiceUnavailable;
        });
        Assert.True(unready, $"still ready on a full disk: {journal}");
        Assert.Matches("^sqlite answers but its disk is full: [0-9]+ bytes free for .*actorquotes.db \\(under 1048576\\); journal writes fail or soon will$", journal);
        Assert.Equal(HttpStatusCode.OK, (await node.Http.GetAsync("/health/live")).StatusCode);

        // The failures have opened the journal's circuit breaker: from here every journal call fails at once.
        await node.WaitForLineAsync(line => line.Contains("Circuit Breaker is open", StringComparison.Ordinal))
            .WaitAsync(TimeSpan.FromSeconds(120));
        output.WriteLine($"the journal's circuit breaker opened {sinceFull.Elapsed.TotalSeconds:0.0} s after the disk filled");

        // Now that writes fail, a write is refused honestly, never acknowledged: 503 (nothing changed) or 504
        // (outcome unknown). Until then SQLite may still fit a write into the WAL it has, and a 200 is true.
        var put = await node.Http.SendAsync(ApiClient.Authorized(HttpMethod.Put, $"/api/v1/watchlists/{watchlist}/stocks/AAPL", token,
            """{"quantity":1,"purchase_price":200}"""));
        Assert.True(put.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout, $"{(int)put.StatusCode}");
        Assert.Contains((await put.ReadJson())["code"]!.GetValue<string>(), new[] { "unavailable", "outcome_unknown" });
        var registration = await Register("after_full");
        Assert.True(registration is HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout, $"{(int)registration}");

        File.Delete(fill);
        var sinceSpace = Stopwatch.StartNew();
        using (var bound = new CancellationTokenSource(RecoveryBound))
        {
            // Retried as docs/api.md tells a client (same Idempotency-Key); the bound is the assertion.
            while (registration != HttpStatusCode.Created)
            {
                Assert.False(bound.IsCancellationRequested,
                    $"registration still answered {(int)registration} {RecoveryBound.TotalSeconds} s after space returned\n{Tail(node.Output)}");
                Assert.True(registration is HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout, $"{(int)registration}");
                await Task.Delay(TimeSpan.FromMilliseconds(250), bound.Token).ContinueWith(_ => { }, TaskScheduler.Default); // a client's retry interval
                registration = await Register("after_full");
            }
        }

        var recovered = sinceSpace.Elapsed;
        output.WriteLine($"registration worked again {recovered.TotalSeconds:0.0} s after space returned");
        Assert.True(recovered < RecoveryBound, $"recovered after {recovered.TotalSeconds:0.0} s");
        var readyAgain = await Eventually.TrueWithin(RecoveryBound, async () =>
        {
            using var ready = await node.Http.GetAsync("/health/ready");
            healthAnswers.Add(ready.StatusCode);
            return ready.StatusCode == HttpStatusCode.OK;
        });
        Assert.True(readyAgain, "not ready again after space returned");
        Assert.All(healthAnswers, status => Assert.True(status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{(int)status}"));

        // The watchlist that refused a write takes writes again once its host's retry (at most 10 s apart) finds the journal.
        var writes = await Eventually.TrueWithin(RecoveryBound, async () =>
        {
            using var write = await node.Http.SendAsync(ApiClient.Authorized(HttpMethod.Put, $"/api/v1/watchlists/{watchlist}/stocks/7203", token,
                """{"quantity":1,"purchase_price":2500}"""));
            return write.StatusCode == HttpStatusCode.OK;
        });
        Assert.True(writes, "the watchlist still refused writes");

        async Task<HttpStatusCode> Register(string username)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/register")
            {
                Content = ApiClient.Json($$"""{"username":"{{username}}","password":"correct-horse"}"""),
            };
            request.Headers.Add("Idempotency-Key", "disk-full-" + username);
            using var response = await node.Http.SendAsync(request);
            return response.StatusCode;
        }
    }

    private static string Tail(string output) => string.Join('\n', output.Split('\n').TakeLast(40));
}
