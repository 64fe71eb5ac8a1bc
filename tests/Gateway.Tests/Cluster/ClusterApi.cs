using System.Net;
using System.Text.Json.Nodes;
using ActorQuotes.Gateway.Tests.Infrastructure;

namespace ActorQuotes.Gateway.Tests.Cluster;

/// <summary>
/// The REST calls the cluster tests make, as a careful client of a cluster makes them: a 503 (a shard moving
/// between nodes, a coordinator still starting) or a 504 (a write whose outcome is unknown) is retried with
/// the same Idempotency-Key, so a retry never creates a second account or watchlist or applies a write twice.
/// Bounded like every wait in the tests.
/// </summary>
internal static class ClusterApi
{
    private static readonly TimeSpan RetryFor = TimeSpan.FromSeconds(45);

    public static async Task<(string Token, long UserId)> RegisterAndLogin(this ClusterNode node, string username, string password = "correct-horse")
    {
        var key = Guid.NewGuid().ToString("N");
        var credentials = $$"""{"username":"{{username}}","password":"{{password}}"}""";
        await Send(node, () => WithKey(new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/register") { Content = ApiClient.Json(credentials) }, key), HttpStatusCode.Created);
        var login = await Send(node, () => new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login") { Content = ApiClient.Json(credentials) }, HttpStatusCode.OK);
        return (login["token"]!.GetValue<string>(), login["user_id"]!.GetValue<long>());
    }

    public static async Task<long> CreateWatchlist(this ClusterNode node, string token, string name)
    {
        var key = Guid.NewGuid().ToString("N");
        var created = await Send(node, () => WithKey(ApiClient.Authorized(HttpMethod.Post, "/api/v1/watchlists", token, $$"""{"name":"{{name}}"}"""), key), HttpStatusCode.Created);
        return created["watchlist_id"]!.GetValue<long>();
    }

    public static Task PutStock(this ClusterNode node, string token, long watchlistId, string symbol, double quantity, double price)
    {
        var key = Guid.NewGuid().ToString("N");
        return Send(node, () => WithKey(ApiClient.Authorized(HttpMethod.Put, $"/api/v1/watchlists/{watchlistId}/stocks/{symbol}", token,
            $$"""{"quantity":{{quantity}},"purchase_price":{{price}}}"""), key), HttpStatusCode.OK);
    }

    private static HttpRequestMessage WithKey(HttpRequestMessage request, string key)
    {
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    private static async Task<JsonNode> Send(ClusterNode node, Func<HttpRequestMessage> request, HttpStatusCode expected)
    {
        // A 503 is a shard moving between nodes and a 504 an unknown outcome, which a client retries; any other answer is final.
        (HttpStatusCode Status, string Body, string What)? last = null;
        await Eventually.TrueWithin(RetryFor, async () =>
        {
            using var message = request();
            using var response = await node.Http.SendAsync(message);
            last = (response.StatusCode, await response.Content.ReadAsStringAsync(), $"{message.Method} {message.RequestUri}");
            return response.StatusCode is not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout);
        });

        var answer = Assert.NotNull(last); // null: every attempt failed before an answer
        Assert.True(answer.Status == expected, $"{answer.What} through {node.Name}: {(int)answer.Status} {answer.Body}");
        return JsonNode.Parse(answer.Body)!;
    }
}
