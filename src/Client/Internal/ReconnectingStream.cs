using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace ActorQuotes.Client.Internal;

/// <summary>
/// The loop both streams share: connect with a fresh token, yield frames (and gaps), and on a retryable end
/// reconnect after a backoff that starts over once a socket has delivered a frame; on a fatal end stop.
/// </summary>
internal sealed class ReconnectingStream(
    ActorQuotesClientOptions options,
    Func<Uri, string?, Uri> endpoint,
    Func<StreamConnection, CancellationToken, ValueTask>? onOpen = null,
    Action<StreamConnection>? onClosed = null)
{
    private int _reading;

    public async IAsyncEnumerable<StreamEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _reading, 1) != 0)
        {
            throw new InvalidOperationException("This stream is already being read; enumerate ReadAllAsync once at a time.");
        }

        try
        {
            var backoff = new Backoff(options.InitialBackoff, options.MaxBackoff, options.Jitter, options.Random);
            var sequence = new SequenceTracker();
            var gateways = options.Gateways;
            var gateway = 0;
            var connections = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var token = await options.TokenProvider(cancellationToken).ConfigureAwait(false);
                var baseUri = gateways[gateway];
                var (connection, end) = await OpenAsync(endpoint(baseUri, token), cancellationToken).ConfigureAwait(false);
                if (connection is not null)
                {
                    try
                    {
                        sequence.Reset();
                        yield return new Connected(endpoint(baseUri, null), ++connections);
                        var delivered = false;
                        ErrorFrame? lastError = null;
                        while (true)
                        {
                            var (message, closed) = await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                            if (closed is { } c)
                            {
                                // A close of the server's own is preceded by an error frame naming its code.
                                end = c.Code is null && lastError is not null ? c with { Code = lastError.Code, Message = lastError.Message } : c;
                                break;
                            }

                            if (!TryParse(message.Span, out var frame, out var frameSequence, out var problem))
                            {
                                await connection.CloseOutputAsync(WebSocketCloseStatus.InvalidPayloadData, "invalid_frame").ConfigureAwait(false);
                                end = new StreamEnd(StreamCloseCodes.InvalidPayload, problem, Fatal: false);
                                break;
                            }

                            if (frameSequence is { } n)
                            {
                                // A numbered frame means the session is up. An error frame does not: the server
                                // sends one before 4429 or 1013, and those must keep backing off.
                                if (!delivered)
                                {
                                    delivered = true;
                                    backoff.Reset();
                                }

                                if (sequence.Observe(n) is { } gap)
                                {
                                    yield return new GapDetected(gap.Expected, gap.Received);
                                }
                            }

                            lastError = frame as ErrorFrame;
                            if (frame is not null)
                            {
                                yield return frame;
                            }
                        }
                    }
                    finally
                    {
                        onClosed?.Invoke(connection);
                        await connection.DisposeAsync().ConfigureAwait(false);
                    }
                }

                if (end.Fatal)
                {
                    yield return new Disconnected(end.CloseCode, end.Reason, WillRetry: false, RetryIn: null);
                    throw new StreamClosedException(end.CloseCode, end.Code ?? end.Reason, end.Message);
                }

                // The next attempt goes to the next gateway: this one is going away or did not answer.
                gateway = (gateway + 1) % gateways.Count;
                var delay = backoff.Next();
                yield return new Disconnected(end.CloseCode, end.Reason, WillRetry: true, delay);
                await Task.Delay(delay, options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
        }
    }

    private static bool TryParse(ReadOnlySpan<byte> json, out StreamEvent? frame, out long? sequence, out string? problem)
    {
        try
        {
            frame = StreamFrames.Parse(json, out sequence);
            problem = null;
            return true;
        }
        catch (JsonException e)
        {
            (frame, sequence, problem) = (null, null, "the server sent a frame this client cannot read: " + e.Message);
            return false;
        }
    }

    private async Task<(StreamConnection? Connection, StreamEnd End)> OpenAsync(Uri uri, CancellationToken cancellationToken)
    {
        var (connection, failure) = await StreamConnection.OpenAsync(uri, options, cancellationToken).ConfigureAwait(false);
        if (connection is null || onOpen is null)
        {
            return (connection, failure);
        }

        try
        {
            await onOpen(connection, cancellationToken).ConfigureAwait(false);
            return (connection, default);
        }
        catch (WebSocketException e)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            return (null, new StreamEnd(StreamCloseCodes.Abnormal, e.Message, Fatal: false));
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
