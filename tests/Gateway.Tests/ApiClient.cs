using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ActorQuotes.Gateway.Tests;

/// <summary>What a user does over HTTP and WebSocket, as plain requests (no shared code with the server).</summary>
public static class ApiClient
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonNode> ReadJson(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    public static async Task<(string Token, long UserId)> RegisterAndLogin(this HttpClient http, string username, string password = "correct-horse")
    {
        // As docs/api.md tells clients: 503 and 504 are retried with the same Idempotency-Key (a loaded CI machine
        // can outlast the ask timeout on a fixture's first request).
        var key = Guid.NewGuid().ToString("N");
        HttpResponseMessage register;
        var attempt = 0;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/register")
            {
                Content = Json($$"""{"username":"{{username}}","password":"{{password}}"}"""),
            };
            request.Headers.Add("Idempotency-Key", key);
            register = await http.SendAsync(request);
        }
        while (register.StatusCode is System.Net.HttpStatusCode.ServiceUnavailable or System.Net.HttpStatusCode.GatewayTimeout && ++attempt < 3);

        Assert.Equal(System.Net.HttpStatusCode.Created, register.StatusCode);
        var login = await http.PostAsync("/api/v1/auth/login", Json($$"""{"username":"{{username}}","password":"{{password}}"}"""));
        Assert.Equal(System.Net.HttpStatusCode.OK, login.StatusCode);
        var body = await login.ReadJson();
        return (body["token"]!.GetValue<string>(), body["user_id"]!.GetValue<long>());
    }

    public static HttpRequestMessage Authorized(HttpMethod method, string uri, string token, string? json = null)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null)
        {
            request.Content = Json(json);
        }

        return request;
    }

    public static async Task<long> CreateWatchlist(this HttpClient http, string token, string name)
    {
        var response = await http.SendAsync(Authorized(HttpMethod.Post, "/api/v1/watchlists", token, $$"""{"name":"{{name}}"}"""));
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJson())["watchlist_id"]!.GetValue<long>();
    }

    public static async Task PutStock(this HttpClient http, string token, long watchlistId, string symbol, double quantity, double price)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, double> { ["quantity"] = quantity, ["purchase_price"] = price });
        var response = await http.SendAsync(Authorized(HttpMethod.Put, $"/api/v1/watchlists/{watchlistId}/stocks/{symbol}", token, json));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Reads one whole text message, or null when the server closed the socket.</summary>
    public static async Task<string?> ReceiveText(this ClientWebSocket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                // Answer the close as browsers do, so the server is not left waiting for the handshake.
                if (socket.State == WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
                }

                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(message.ToArray());
            }
        }
    }

    public static async Task<ClientWebSocket> Connect(this GatewayHost host, string pathAndQuery)
    {
        var socket = new ClientWebSocket();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await socket.ConnectAsync(host.WebSocketUri(pathAndQuery), cts.Token);
        return socket;
    }
}
