using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;

namespace ActorQuotes.Bench.Baselines.Kestrel;

/// <summary>
/// Fans each accepted quote out to the sockets that follow its symbol: the quote is serialized once, each
/// socket keeps only the newest bytes per symbol in its own slot, and each socket's own writer drains its
/// slots one frame at a time (so a slow socket only delays itself and holds one value per symbol).
/// </summary>
internal sealed class Broadcaster(TickBook book)
{
    private const int MaxClientMessageBytes = 16 * 1024;

    private readonly Subscriber[][] _bySymbol = Enumerable.Range(0, book.Catalog.Symbols.Length).Select(_ => Array.Empty<Subscriber>()).ToArray();
    private readonly object _subscriptionsLock = new();

    public ValueTask Publish(List<BaselineQuote> quotes)
    {
        foreach (var quote in quotes)
        {
            var index = book.Catalog.IndexOf(quote.Symbol);
            var subscribers = Volatile.Read(ref _bySymbol[index]);
            if (subscribers.Length == 0)
            {
                continue;
            }

            var tail = QuoteJson.Tail(quote);
            foreach (var subscriber in subscribers)
            {
                subscriber.Offer(index, tail);
            }
        }

        return ValueTask.CompletedTask;
    }

    public async Task ServeAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var subscriber = new Subscriber(socket);
        var writer = subscriber.RunWriterAsync();
        var followed = new HashSet<int>();
        var buffer = new byte[MaxClientMessageBytes];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), context.RequestAborted);
                    length += result.Count;
                }
                while (!result.EndOfMessage && length < buffer.Length);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                OnClientMessage(subscriber, followed, buffer.AsSpan(0, length));
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The client left.
        }
        finally
        {
            lock (_subscriptionsLock)
            {
                foreach (var index in followed)
                {
                    _bySymbol[index] = _bySymbol[index].Where(s => s != subscriber).ToArray();
                }
            }

            subscriber.Complete();
            await writer;
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", default);
                }
                catch (WebSocketException)
                {
                    // Gone already.
                }
            }
        }
    }

    private void OnClientMessage(Subscriber subscriber, HashSet<int> followed, ReadOnlySpan<byte> message)
    {
        string? action = null;
        var symbols = new List<string>();
        try
        {
            using var document = JsonDocument.Parse(message.ToArray());
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("action", out var a) && a.ValueKind == JsonValueKind.String
                && root.TryGetProperty("symbols", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                action = a.GetString();
                foreach (var s in list.EnumerateArray())
                {
                    symbols.Add(s.GetString() ?? string.Empty);
                }
            }
        }
        catch (JsonException)
        {
        }

        if (action is not ("subscribe" or "unsubscribe"))
        {
            subscriber.Control(QuoteJson.Error("bad_request", "a message is {\"action\":\"subscribe|unsubscribe\",\"symbols\":[...]}"));
            return;
        }

        var added = new List<int>();
        var unknown = new List<string>();
        lock (_subscriptionsLock)
        {
            foreach (var symbol in symbols)
            {
                var index = book.Catalog.IndexOf(symbol);
                if (index < 0)
                {
                    unknown.Add(symbol);
                }
                else if (action == "subscribe" && followed.Add(index))
                {
                    added.Add(index);
                    _bySymbol[index] = [.. _bySymbol[index], subscriber];
                }
                else if (action == "unsubscribe" && followed.Remove(index))
                {
                    _bySymbol[index] = _bySymbol[index].Where(s => s != subscriber).ToArray();
                }
            }
        }

        if (unknown.Count > 0)
        {
            subscriber.Control(QuoteJson.Error("unknown_symbol", "not in the catalog: " + string.Join(",", unknown)));
        }

        subscriber.Subscribed(followed.Select(i => book.Catalog.Symbols[i]).Order(StringComparer.Ordinal).ToArray());
        foreach (var index in added)
        {
            subscriber.Offer(index, QuoteJson.Tail(book.Current(index)));
        }
    }

    /// <summary>One socket: a latest-value slot per symbol, a queue of symbols with a value, and its writer.</summary>
    private sealed class Subscriber(WebSocket socket)
    {
        private readonly Dictionary<int, byte[]> _slots = [];
        private readonly Queue<int> _order = new();
        private readonly Queue<object> _control = new();
        private readonly SemaphoreSlim _signal = new(0, 1);
        private bool _signalled;
        private bool _completed;

        public void Offer(int symbol, byte[] tail)
        {
            lock (_slots)
            {
                if (_slots.TryAdd(symbol, tail))
                {
                    _order.Enqueue(symbol);
                }
                else
                {
                    _slots[symbol] = tail; // conflated: only the newest value waits
                }

                Wake();
            }
        }

        public void Control(byte[] frame)
        {
            lock (_slots)
            {
                _control.Enqueue(frame);
                Wake();
            }
        }

        public void Subscribed(string[] symbols)
        {
            lock (_slots)
            {
                _control.Enqueue(symbols);
                Wake();
            }
        }

        public void Complete()
        {
            lock (_slots)
            {
                _completed = true;
                Wake();
            }
        }

        public async Task RunWriterAsync()
        {
            var buffer = new ArrayBufferWriter<byte>(512);
            long sequence = 0;
            try
            {
                while (true)
                {
                    await _signal.WaitAsync();
                    while (true)
                    {
                        buffer.ResetWrittenCount();
                        lock (_slots)
                        {
                            if (_completed)
                            {
                                return;
                            }

                            if (_control.TryDequeue(out var control))
                            {
                                if (control is string[] symbols)
                                {
                                    QuoteJson.WriteSubscribed(buffer, ++sequence, symbols);
                                }
                                else
                                {
                                    buffer.Write(((byte[])control).AsSpan());
                                }
                            }
                            else if (_order.TryDequeue(out var symbol))
                            {
                                _slots.Remove(symbol, out var tail);
                                QuoteJson.WriteQuote(buffer, ++sequence, tail);
                            }
                            else
                            {
                                _signalled = false;
                                break;
                            }
                        }

                        await socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, true, default);
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
            {
                // The socket went away; the reader ends the subscription.
            }
        }

        private void Wake()
        {
            if (!_signalled)
            {
                _signalled = true;
                _signal.Release();
            }
        }
    }
}
