using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ActorQuotes.Client.Internal;

/// <summary>
/// Sends one logical write: a fresh Idempotency-Key, then up to <see cref="ActorQuotesClientOptions.WriteAttempts"/>
/// attempts with that same key, retrying 503, 504, connection failures and timeouts with the client's backoff and
/// moving to the next gateway each time (as streams do). Any other answer is final.
/// </summary>
internal sealed class WriteSender(ActorQuotesClientOptions options)
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        ConnectTimeout = options.ConnectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2), // follows DNS changes of a gateway name
    })
    {
        Timeout = Timeout.InfiniteTimeSpan, // each attempt has its own (WriteTimeout)
    };

    public async Task<T?> SendAsync<T>(HttpMethod method, string path, byte[]? json, JsonTypeInfo<T>? reply, CancellationToken cancellationToken)
    {
        var key = Guid.NewGuid().ToString();
        var backoff = new Backoff(options.InitialBackoff, options.MaxBackoff, options.Jitter, options.Random);
        var gateways = options.Gateways;
        var onlyRefused = true; // every attempt answered 503: nothing changed
        ActorQuotesApiException? last = null;
        for (var attempt = 0; attempt < options.WriteAttempts; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(backoff.Next(), options.TimeProvider, cancellationToken);
            }

            var token = await options.TokenProvider(cancellationToken);
            using var request = new HttpRequestMessage(method, Url(gateways[attempt % gateways.Count], path));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Headers.Add("Idempotency-Key", key);
            if (json is not null)
            {
                request.Content = new ByteArrayContent(json) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.WriteTimeout);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, timeout.Token);
            }
            catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // The request may have reached the gateway before the connection failed: the outcome is unknown.
                onlyRefused = false;
                last = new ActorQuotesApiException(0, ActorQuotesApiException.OutcomeUnknown, e.Message, key, e);
                continue;
            }

            using (response)
            {
                if (response.IsSuccessStatusCode)
                {
                    return reply is null ? default : await response.Content.ReadFromJsonAsync(reply, cancellationToken);
                }

                var problem = await ReadProblem(response, cancellationToken);
                last = new ActorQuotesApiException((int)response.StatusCode, problem.Code ?? "http_" + (int)response.StatusCode, problem.Detail ?? problem.Title, key);
                switch ((int)response.StatusCode)
                {
                    case 503:
                        continue;
                    case 504:
                        onlyRefused = false;
                        continue;
                    default:
                        throw last;
                }
            }
        }

        // Out of attempts. Only if every one was refused is it certain that nothing changed.
        throw onlyRefused || last!.IsOutcomeUnknown
            ? last!
            : new ActorQuotesApiException(last.StatusCode, ActorQuotesApiException.OutcomeUnknown,
                "an earlier attempt's outcome is unknown; last answer: " + last.Message, key, last);
    }

    private static Uri Url(Uri gateway, string path)
    {
        var builder = new UriBuilder(gateway)
        {
            Scheme = gateway.Scheme is "https" or "wss" ? "https" : "http",
            Path = gateway.AbsolutePath.TrimEnd('/') + path,
            Query = string.Empty,
            Fragment = string.Empty,
        };
        return builder.Uri;
    }

    private static async Task<ProblemBody> ReadProblem(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(WriteJsonContext.Default.ProblemBody, cancellationToken)
                   ?? new ProblemBody(null, null, null);
        }
        catch (JsonException)
        {
            return new ProblemBody(null, null, response.ReasonPhrase); // a proxy's own page, not a problem
        }
    }
}
