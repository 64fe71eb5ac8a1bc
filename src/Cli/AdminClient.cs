using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ActorQuotes.Cli;

/// <summary>The node refused a command, or could not be reached; <see cref="ExitCode"/> is what aq exits with.</summary>
public sealed class AdminException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>An answer of the admin API: its JSON text as sent, and parsed.</summary>
public sealed record AdminReply(string Text, JsonNode Json);

/// <summary>HTTP to one node's admin endpoint (<c>/admin/v1</c>), the key in <c>Authorization: Bearer</c>.</summary>
public sealed class AdminClient : IDisposable
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;

    public AdminClient(string node, string key)
    {
        BaseAddress = ParseNode(node);
        _http = new HttpClient { BaseAddress = BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    public Uri BaseAddress { get; }

    /// <summary><c>host:port</c>, or a whole <c>http://host:port</c> URL.</summary>
    public static Uri ParseNode(string node)
    {
        var text = node.Contains("://", StringComparison.Ordinal) ? node : "http://" + node;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.IsDefaultPort && !node.Contains("://", StringComparison.Ordinal))
        {
            throw new UsageException($"--node takes host:port (the node's admin endpoint), not '{node}'");
        }

        return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
    }

    public Task<AdminReply> Get(string path, CancellationToken cancellationToken) =>
        Send(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);

    public Task<AdminReply> Post(string path, object? body, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body, JsonOptions), Encoding.UTF8, "application/json");
        }

        return Send(request, cancellationToken);
    }

    /// <summary>The raw text of a non-JSON resource (<c>/metrics</c>).</summary>
    public async Task<string> GetText(string path, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        using var response = await Call(() => _http.GetAsync(path, timeout.Token), cancellationToken);
        var text = await response.Content.ReadAsStringAsync(timeout.Token);
        ThrowIfFailed(response, text);
        return text;
    }

    /// <summary>Lines of a streamed answer (newline-delimited JSON) as they come, until the stream ends or is cancelled.</summary>
    public async IAsyncEnumerable<string> Lines(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await Call(() => _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            ThrowIfFailed(response, await response.Content.ReadAsStringAsync(cancellationToken));
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken);
            }
            catch (IOException) when (cancellationToken.IsCancellationRequested)
            {
                yield break;
            }

            if (line is null)
            {
                yield break;
            }

            if (line.Length > 0)
            {
                yield return line;
            }
        }
    }

    public void Dispose() => _http.Dispose();

    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private async Task<AdminReply> Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var _ = request;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        using var response = await Call(() => _http.SendAsync(request, timeout.Token), cancellationToken);
        var text = await response.Content.ReadAsStringAsync(timeout.Token);
        ThrowIfFailed(response, text);
        try
        {
            return new AdminReply(text, JsonNode.Parse(text) ?? throw new JsonException("empty"));
        }
        catch (JsonException)
        {
            throw new AdminException(ExitCodes.Failed, $"{BaseAddress} answered something that is not the admin API (is it the admin port?)");
        }
    }

    private async Task<HttpResponseMessage> Call(Func<Task<HttpResponseMessage>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (HttpRequestException e)
        {
            throw new AdminException(ExitCodes.Failed, $"cannot reach the admin endpoint at {BaseAddress}: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AdminException(ExitCodes.Failed, $"{BaseAddress} did not answer within {RequestTimeout.TotalSeconds:0} s");
        }
    }

    private void ThrowIfFailed(HttpResponseMessage response, string body)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            throw new AdminException(ExitCodes.Unauthorized, $"{BaseAddress} refused the admin key (check --key or {GlobalOptions.KeyVariable})");
        }

        string? title = null, detail = null, code = null;
        try
        {
            if (JsonNode.Parse(body) is JsonObject problem)
            {
                title = problem["title"]?.GetValue<string>();
                detail = problem["detail"]?.GetValue<string>();
                code = problem["code"]?.GetValue<string>();
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // not a problem document; the status says enough
        }

        var message = new StringBuilder();
        message.Append(title ?? $"{(int)response.StatusCode} {response.ReasonPhrase}");
        if (detail is not null)
        {
            message.Append(": ").Append(detail);
        }

        if (code is not null)
        {
            message.Append(" [").Append(code).Append(']');
        }

        throw new AdminException(ExitCodes.Failed, message.ToString());
    }
}
