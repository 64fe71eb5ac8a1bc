using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace ActorQuotes.Gateway.Problems;

/// <summary>
/// Gives the requests Kestrel rejects by itself (a malformed request line or header, no Host, headers or a
/// request line over Kestrel's limits, an unknown HTTP version) a problem-details body like every other 4xx.
/// Kestrel answers those before any middleware runs and offers no hook to shape the answer: it only reports
/// the rejection, synchronously, as the <see cref="EventName"/> diagnostic event, and then writes a bare
/// status line with <c>Content-Length: 0</c> as the connection's last response. So a connection middleware
/// puts a <see cref="RejectionAnsweringWriter"/> under Kestrel's output (a pass-through otherwise), the event
/// arms it with the whole problem response, and the writer sends that in place of Kestrel's bare one.
/// docs/api.md ("Errors") lists what stays bare and why.
/// </summary>
public static class KestrelRejections
{
    /// <summary>Kestrel's diagnostic event for a request it rejected; its payload is the request's features.</summary>
    public const string EventName = "Microsoft.AspNetCore.Server.Kestrel.BadRequest";

    /// <summary>Connection middleware: the writer every HTTP/1.1 response of the connection goes through.</summary>
    public static void UseRejectionProblems(this ListenOptions listen) => listen.Use(next => async connection =>
    {
        var transport = connection.Transport;
        var writer = new RejectionAnsweringWriter(transport.Output);
        connection.Features.Set(writer);
        connection.Transport = new DuplexPipe(transport.Input, writer);
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            connection.Transport = transport;
        }
    });

    /// <summary>Listens for <see cref="EventName"/> on the host's listener until the returned handle is disposed.</summary>
    public static IDisposable AnswerWithProblems(DiagnosticListener listener) =>
        listener.Subscribe(new Observer(), name => name == EventName);

    /// <summary>The full HTTP/1.1 answer for a rejection: status line, headers and the problem-details body.</summary>
    public static byte[] Answer(int status, string detail, string? allow)
    {
        var code = ApiProblems.CodeForStatus(status);
        var body = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("type", ApiProblems.TypeFor(code));
            json.WriteString("title", RejectedTitle);
            json.WriteNumber("status", status);
            json.WriteString("detail", detail);
            json.WriteString("code", code);
            json.WriteEndObject();
        }

        var head = new StringBuilder(256)
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {ReasonPhrases.GetReasonPhrase(status)}\r\n")
            .Append("Content-Type: application/problem+json\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {body.WrittenCount}\r\n")
            .Append("Connection: close\r\n")
            .Append(CultureInfo.InvariantCulture, $"Date: {DateTimeOffset.UtcNow:R}\r\n");
        if (!string.IsNullOrEmpty(allow))
        {
            head.Append(CultureInfo.InvariantCulture, $"Allow: {allow}\r\n");
        }

        head.Append("\r\n");
        var answer = new byte[Encoding.ASCII.GetByteCount(head.ToString()) + body.WrittenCount];
        var written = Encoding.ASCII.GetBytes(head.ToString(), answer);
        body.WrittenSpan.CopyTo(answer.AsSpan(written));
        return answer;
    }

    /// <summary>The title of every rejected request, the same as a body the framework could not read.</summary>
    public const string RejectedTitle = "The request could not be read.";

    private sealed class Observer : IObserver<KeyValuePair<string, object?>>
    {
        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Key != EventName
                || value.Value is not IFeatureCollection features
                || features.Get<IBadRequestExceptionFeature>()?.Error is not Microsoft.AspNetCore.Http.BadHttpRequestException rejection
                // Falls back to the connection's features, where the middleware put it.
                || features.Get<RejectionAnsweringWriter>() is not { } writer)
            {
                return;
            }

            // HTTP/2 answers with stream errors, not a response; TLS would sit between the writer and Kestrel;
            // a HEAD answer has no body; an answer already under way cannot be replaced.
            if (features.Get<IHttp2StreamIdFeature>() is not null
                || features.Get<ITlsConnectionFeature>() is not null
                || features.Get<IHttpResponseFeature>() is not { HasStarted: false }
                || HttpMethods.IsHead(features.Get<IHttpRequestFeature>()?.Method ?? ""))
            {
                return;
            }

            // Kestrel has set its answer's headers by now: a 405's Allow is among them.
            var allow = features.Get<IHttpResponseFeature>()?.Headers.Allow.ToString();
            writer.Arm(Answer(rejection.StatusCode, rejection.Message, allow));
        }

        public void OnError(Exception error)
        {
        }

        public void OnCompleted()
        {
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}

/// <summary>
/// Kestrel's output for one connection, passed straight through until <see cref="Arm"/>: from then on what
/// Kestrel writes (its bare rejection) is dropped and the armed answer goes out at its flush instead. Kestrel
/// arms it while it handles the rejection, after the previous response was flushed and before it writes
/// the rejection, on the connection's own processing path; nothing else is written on that connection.
/// </summary>
public sealed class RejectionAnsweringWriter(PipeWriter inner) : PipeWriter
{
    private byte[]? _answer;
    private byte[]? _discard;
    private bool _answered;

    public void Arm(byte[] answer) => _answer = answer;

    public override Memory<byte> GetMemory(int sizeHint = 0) => _answer is null ? inner.GetMemory(sizeHint) : Discard(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => _answer is null ? inner.GetSpan(sizeHint) : Discard(sizeHint).Span;

    public override void Advance(int bytes)
    {
        if (_answer is null)
        {
            inner.Advance(bytes);
        }
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_answer is { } answer && !_answered)
        {
            _answered = true;
            inner.Write(answer);
        }

        return inner.FlushAsync(cancellationToken);
    }

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default) =>
        _answer is null ? inner.WriteAsync(source, cancellationToken) : FlushAsync(cancellationToken);

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => _answer is null ? inner.UnflushedBytes : 0;

    private Memory<byte> Discard(int sizeHint)
    {
        var size = Math.Max(sizeHint, 4096);
        if (_discard is null || _discard.Length < size)
        {
            _discard = new byte[size];
        }

        return _discard;
    }
}
