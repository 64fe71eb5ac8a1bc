using System.Net;
using System.Text.Json.Nodes;

namespace ActorQuotes.Gateway.Tests.Cluster;

/// <summary>
/// One node's view of the membership as it changes, read from its admin endpoint's event stream (what
/// <c>aq cluster tail</c> shows), each event stamped on the caller's clock when it arrived. A test awaits the
/// event it needs (a member unreachable, downed, removed) instead of polling for it.
/// </summary>
public sealed class ClusterWatch : IAsyncDisposable
{
    private readonly List<(string Type, string Address, TimeSpan At)> _events = [];
    private readonly List<(Func<string, string, bool> Match, TimeSpan Since, TaskCompletionSource<TimeSpan> Seen)> _waiting = [];
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<TimeSpan> _clock;
    private Task _reader = Task.CompletedTask;

    private ClusterWatch(ClusterNode observer, Func<TimeSpan> clock)
    {
        Observer = observer.Name;
        _clock = clock;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{observer.AdminPort}"), Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Add("X-Admin-Key", TestCluster.AdminKey);
    }

    /// <summary>The node whose view this is.</summary>
    public string Observer { get; }

    /// <summary>Opens the stream on <paramref name="observer"/>; <paramref name="clock"/> stamps every event.</summary>
    public static async Task<ClusterWatch> OpenAsync(ClusterNode observer, Func<TimeSpan> clock)
    {
        var watch = new ClusterWatch(observer, clock);
        using var opening = CancellationTokenSource.CreateLinkedTokenSource(watch._stop.Token);
        opening.CancelAfter(TimeSpan.FromSeconds(30));
        var response = await watch._http.GetAsync("/admin/v1/cluster/events", HttpCompletionOption.ResponseHeadersRead, opening.Token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"cluster events of {observer.Name}: {(int)response.StatusCode}");
        watch._reader = watch.ReadAsync(response);
        return watch;
    }

    /// <summary>
    /// When this node first saw an event of one of <paramref name="types"/> (member_downed, unreachable, …) for the
    /// member at <paramref name="address"/> at or after <paramref name="since"/>; null if none came within <paramref name="timeout"/>.
    /// </summary>
    public async Task<TimeSpan?> WaitForAsync(string address, TimeSpan since, TimeSpan timeout, params string[] types)
    {
        Task<TimeSpan> seen;
        lock (_events)
        {
            var found = _events.Where(e => e.At >= since && e.Address == address && types.Contains(e.Type)).Select(e => (TimeSpan?)e.At).FirstOrDefault();
            if (found is { } at)
            {
                return at;
            }

            var waiter = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Add(((type, member) => member == address && types.Contains(type), since, waiter));
            seen = waiter.Task;
        }

        try
        {
            return await seen.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>Every event so far, one per line, for a failure message.</summary>
    public string Log()
    {
        lock (_events)
        {
            return string.Join('\n', _events.Select(e => $"{e.At.TotalSeconds,8:F1} s {e.Type} {e.Address}"));
        }
    }

    private async Task ReadAsync(HttpResponseMessage response)
    {
        try
        {
            using (response)
            {
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token));
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    if (line.Length == 0)
                    {
                        continue;
                    }

                    var e = JsonNode.Parse(line)!;
                    Add(e["type"]!.GetValue<string>(), e["address"]?.GetValue<string>() ?? string.Empty, _clock());
                }
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // the observer went away or the test is done: waiters time out and say so
        }
    }

    private void Add(string type, string address, TimeSpan at)
    {
        lock (_events)
        {
            _events.Add((type, address, at));
            foreach (var waiter in _waiting.Where(w => at >= w.Since && w.Match(type, address)).ToList())
            {
                waiter.Seen.TrySetResult(at);
                _waiting.Remove(waiter);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reader;
        _http.Dispose();
        _stop.Dispose();
    }
}
