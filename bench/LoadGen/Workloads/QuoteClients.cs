using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ActorQuotes.Bench.LoadGen.Measurement;
using ActorQuotes.Bench.LoadGen.Net;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace ActorQuotes.Bench.LoadGen.Workloads;

/// <summary>One subscriber socket of the generator, whatever the server's protocol.</summary>
public interface IQuoteClient : IAsyncDisposable
{
    /// <summary>Quote frames received since the socket opened (also outside measurement windows).</summary>
    long Received { get; }

    /// <summary>Completes once <paramref name="count"/> quote frames have arrived in all (one waiter at a time).</summary>
    Task QuotesReceived(long count);

    /// <summary>Stops reading from the socket (its receive buffers fill and the server must cope).</summary>
    void Stall();

    /// <summary>Drops the connection at once.</summary>
    void Abort();
}

/// <summary>Completes a waiter once a counter reaches its mark.</summary>
internal sealed class CountSignal
{
    private long _count;
    private long _mark = long.MaxValue;
    private TaskCompletionSource? _waiter;

    public long Count => Interlocked.Read(ref _count);

    public void Increment()
    {
        if (Interlocked.Increment(ref _count) >= Interlocked.Read(ref _mark))
        {
            Volatile.Read(ref _waiter)?.TrySetResult();
        }
    }

    public Task WaitFor(long count)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _waiter, waiter);
        Interlocked.Exchange(ref _mark, count);
        if (Count >= count)
        {
            waiter.TrySetResult();
        }

        return waiter.Task;
    }
}

/// <summary>The quote stream of the SUT and of B0: a raw WebSocket speaking the subscribe protocol.</summary>
public sealed class RawQuoteClient : IQuoteClient
{
    private readonly RawWebSocket _socket;
    private readonly LatencyRecorder _recorder;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CountSignal _received = new();
    private volatile bool _stall;
    private Task _loop = Task.CompletedTask;

    private RawQuoteClient(RawWebSocket socket, LatencyRecorder recorder)
    {
        _socket = socket;
        _recorder = recorder;
    }

    public long Received => _received.Count;

    public Task QuotesReceived(long count) => _received.WaitFor(count);

    public static async Task<RawQuoteClient> ConnectAsync(IPEndPoint endpoint, string pathAndQuery, IReadOnlyList<string> symbols,
        LatencyRecorder recorder, CancellationToken cancellationToken)
    {
        var socket = await RawWebSocket.ConnectAsync(endpoint, pathAndQuery, cancellationToken);
        var client = new RawQuoteClient(socket, recorder);
        client._loop = Task.Run(() => socket.RunAsync(client.OnFrame, client._stop.Token, client.Gate), CancellationToken.None);
        var message = JsonSerializer.SerializeToUtf8Bytes(new SubscribeMessage("subscribe", symbols), SubscribeJson.Default.SubscribeMessage);
        await socket.SendTextAsync(message, cancellationToken);
        await client._subscribed.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        return client;
    }

    public void Stall() => _stall = true;

    public void Abort()
    {
        _stop.Cancel();
        _socket.Abort();
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _socket.CloseQuietlyAsync();
        await _socket.DisposeAsync();
        _stalled.TrySetResult();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private Task Gate() => _stall ? _stalled.Task : Task.CompletedTask;

    private void OnFrame(ReadOnlySpan<byte> frame)
    {
        switch (QuoteFrameParser.Kind(frame))
        {
            case FrameKind.Quote:
                _received.Increment();
                if (_recorder.Recording && QuoteFrameParser.TryReadTimestamp(frame, out var sent))
                {
                    _recorder.Record(sent, DateTime.UtcNow.Ticks);
                }

                break;
            case FrameKind.Subscribed:
                _subscribed.TrySetResult();
                break;
            case FrameKind.Error:
                _subscribed.TrySetException(new InvalidOperationException("server error frame: " + Encoding.UTF8.GetString(frame)));
                break;
        }
    }
}

/// <summary>B1's clients: a SignalR hub connection (WebSockets, JSON protocol) that invokes <c>Subscribe</c>.</summary>
public sealed class SignalRQuoteClient : IQuoteClient
{
    private readonly HubConnection _connection;
    private readonly LatencyRecorder _recorder;
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CountSignal _received = new();
    private volatile bool _stall;

    private SignalRQuoteClient(HubConnection connection, LatencyRecorder recorder)
    {
        _connection = connection;
        _recorder = recorder;
        _connection.On<QuoteStamp>("quote", OnQuote);
    }

    public long Received => _received.Count;

    public Task QuotesReceived(long count) => _received.WaitFor(count);

    public static async Task<SignalRQuoteClient> ConnectAsync(Uri hubUrl, IReadOnlyList<string> symbols, LatencyRecorder recorder,
        CancellationToken cancellationToken)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(hubUrl, HttpTransportType.WebSockets, o => o.SkipNegotiation = true)
            .Build();

        // The runner stops idle servers (SIGSTOP) while another is measured, for up to a minute or so: a client must
        // not give up on a server that says nothing meanwhile (the default is 30 s).
        connection.ServerTimeout = TimeSpan.FromMinutes(10);
        var client = new SignalRQuoteClient(connection, recorder);
        await connection.StartAsync(cancellationToken);
        await connection.InvokeAsync<string[]>("Subscribe", symbols, cancellationToken);
        return client;
    }

    // SignalR's client has no way to stop reading its socket; a stalled client blocks its own receive loop
    // in an awaited handler instead (the client runs handlers one at a time), which holds the transport's pipe and so stops reading the socket.
    public void Stall() => _stall = true;

    public void Abort()
    {
        _released.TrySetResult();
        _ = _connection.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _released.TrySetResult();
        try
        {
            await _connection.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
        }
    }

    private Task OnQuote(QuoteStamp quote)
    {
        _received.Increment();
        _recorder.Record(quote.Timestamp.Ticks, DateTime.UtcNow.Ticks);
        return _stall ? _released.Task : Task.CompletedTask;
    }

    /// <summary>The one field of B1's quote message the generator reads.</summary>
    public sealed class QuoteStamp
    {
        [JsonPropertyName("timestamp")]
        public DateTime Timestamp { get; set; }
    }
}

public sealed record SubscribeMessage(
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("symbols")] IReadOnlyList<string> Symbols);

[JsonSerializable(typeof(SubscribeMessage))]
internal sealed partial class SubscribeJson : JsonSerializerContext;
