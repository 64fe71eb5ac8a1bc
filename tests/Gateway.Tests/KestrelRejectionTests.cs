using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ActorQuotes.Gateway.Tests;

/// <summary>
/// Requests Kestrel rejects before any middleware runs, sent as raw bytes over TCP (an HTTP client would
/// refuse to send them): each answer carries the problem-details body of docs/api.md.
/// </summary>
public sealed class KestrelRejectionTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(60);

    public static TheoryData<string, string, int, string> Rejected => new()
    {
        { "a request line that is not HTTP", "GARBAGE\r\n\r\n", 400, "bad_request" },
        { "a request target with a space", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request" },
        { "a header line without a colon", "GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n", 400, "bad_request" },
        { "a header name with a space", "GET / HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n", 400, "bad_request" },
        { "HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", 400, "bad_request" },
        { "two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "bad_request" },
        { "a Content-Length that is not a number", "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, "bad_request" },
        { "a Transfer-Encoding that does not end in chunked", "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400, "bad_request" },
        { "101 headers", "GET / HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Range(0, 101).Select(i => $"X-H{i}: {i}\r\n")) + "\r\n", 431, "headers_too_large" },
        { "headers over 32 KB", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + new string('a', 33 * 1024) + "\r\n\r\n", 431, "headers_too_large" },
        { "a request line over 8 KB", "GET /" + new string('a', 9 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long" },
        { "an unknown HTTP version", "GET / HTTP/1.2\r\nHost: x\r\n\r\n", 505, "http_version_not_supported" },
    };

    [Theory(DisplayName = "A request Kestrel rejects before the application runs is answered with problem details and its code")]
    [MemberData(nameof(Rejected))]
    public async Task RejectedRequestsGetProblemDetails(string what, string request, int status, string code)
    {
        var answer = await SendRawAsync(request);

        Assert.True(answer.Status == status, $"{what}: expected {status}, got:\n{answer.Raw}");
        Assert.Equal("application/problem+json", answer.Header("Content-Type"));
        Assert.Equal("close", answer.Header("Connection"));
        Assert.Equal(Encoding.UTF8.GetByteCount(answer.Body).ToString(System.Globalization.CultureInfo.InvariantCulture), answer.Header("Content-Length"));
        using var problem = JsonDocument.Parse(answer.Body);
        var root = problem.RootElement;
        Assert.Equal(code, root.GetProperty("code").GetString());
        Assert.Equal("urn:actorquotes:problem:" + code, root.GetProperty("type").GetString());
        Assert.Equal(status, root.GetProperty("status").GetInt32());
        Assert.Equal("The request could not be read.", root.GetProperty("title").GetString());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("detail").GetString()));
    }

    [Fact(DisplayName = "A request target in authority form without CONNECT is 405 method_not_allowed and keeps Kestrel's Allow header")]
    public async Task AuthorityFormKeepsAllow()
    {
        var answer = await SendRawAsync("GET example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n");

        Assert.True(answer.Status == 405, answer.Raw);
        Assert.Equal("CONNECT", answer.Header("Allow"));
        using var problem = JsonDocument.Parse(answer.Body);
        Assert.Equal("method_not_allowed", problem.RootElement.GetProperty("code").GetString());
    }

    [Fact(DisplayName = "A malformed request after a good one on the same connection gets problem details; the good one its own answer")]
    public async Task KeepAliveThenRejected()
    {
        var answer = await SendRawAsync(
            "GET /api/v1/market/status HTTP/1.1\r\nHost: x\r\n\r\n" + "GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", answer.Raw, StringComparison.Ordinal);
        var second = answer.Raw.IndexOf("HTTP/1.1 400 Bad Request\r\n", StringComparison.Ordinal);
        Assert.True(second > 0, answer.Raw);
        Assert.Contains("\"exchanges\":", answer.Raw[..second], StringComparison.Ordinal);
        var rejected = Parse(answer.Raw[second..]);
        Assert.Equal("application/problem+json", rejected.Header("Content-Type"));
        using var problem = JsonDocument.Parse(rejected.Body);
        Assert.Equal("bad_request", problem.RootElement.GetProperty("code").GetString());
    }

    [Fact(DisplayName = "A malformed HEAD request stays a bare 400: a HEAD answer carries no body")]
    public async Task HeadStaysBare()
    {
        var answer = await SendRawAsync("HEAD / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n");

        Assert.True(answer.Status == 400, answer.Raw);
        Assert.Equal("0", answer.Header("Content-Length"));
        Assert.Null(answer.Header("Content-Type"));
    }

    [Fact(DisplayName = "Headers that do not arrive within Kestrel's 30 s are answered 408 request_timeout with problem details")]
    public async Task HeadersTimeout()
    {
        // Kestrel's RequestHeadersTimeout (30 s) is not read from configuration, so this waits it out once.
        var answer = await SendRawAsync("GET / HTTP/1.1\r\nHost: x\r\n");

        Assert.True(answer.Status == 408, answer.Raw);
        using var problem = JsonDocument.Parse(answer.Body);
        Assert.Equal("request_timeout", problem.RootElement.GetProperty("code").GetString());
    }

    private async Task<RawAnswer> SendRawAsync(string request)
    {
        using var timeout = new CancellationTokenSource(AnswerTimeout);
        using var client = new TcpClient();
        var address = fixture.Host.BaseAddress;
        await client.ConnectAsync(address.Host, address.Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), timeout.Token);

        // The server closes the connection after a rejection; everything up to then is the answer. A reset
        // (the server closed with request bytes it had not read) still leaves what arrived before it.
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException) when (received.Length > 0)
        {
        }

        return Parse(Encoding.UTF8.GetString(received.ToArray()));
    }

    private static RawAnswer Parse(string raw)
    {
        var end = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, "no complete answer: " + raw);
        var lines = raw[..end].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = lines.Skip(1)
            .Select(l => l.Split(':', 2))
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        return new RawAnswer(raw, status, headers, raw[(end + 4)..]);
    }

    private sealed record RawAnswer(string Raw, int Status, Dictionary<string, string> Headers, string Body)
    {
        public string? Header(string name) => Headers.GetValueOrDefault(name);
    }
}
