using System.Text.RegularExpressions;
using ActorQuotes.Gateway.Observability;
using ActorQuotes.Gateway.Tests;
using ActorQuotes.Gateway.Tests.Infrastructure;

namespace ActorQuotes.Cli.Tests;

/// <summary>The node's one log stream: the node address on every line, and no secret in any.</summary>
[Collection(AdminNodeCollection.Name)] // one node process at a time beside the shared node: a loaded CI machine
public sealed partial class LogTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact(DisplayName = "A register, login and token-carrying WebSocket, logged at Information everywhere, leave no password, token or admin key in the log; every line names the node")]
    public async Task No_secrets_in_logs()
    {
        const string password = "Tr0ub4dor-and-3-horses";
        const string adminKey = "admin-key-that-must-not-be-logged";
        var data = Path.Combine(Path.GetTempPath(), "aq-logs-" + Guid.NewGuid().ToString("N"));
        await using var node = await GatewayProcess.StartAsync(data, new Dictionary<string, string>
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Information", // request lines carry the URL, query string and all
            ["Logging:LogLevel:Akka"] = "Information",
            ["Admin:Key"] = adminKey,
            ["Admin:Port"] = "0",
            ["Feeds:Simulated:Enabled"] = "false",
        });
        try
        {
            var (token, _) = await RegisterAndLogin(node, password);
            using (var socket = new System.Net.WebSockets.ClientWebSocket())
            {
                var uri = new Uri(node.BaseAddress.ToString().Replace("http://", "ws://", StringComparison.Ordinal) + "api/v1/ws/quotes?token=" + token);
                using var cts = new CancellationTokenSource(Wait);
                await socket.ConnectAsync(uri, cts.Token);
                await socket.SendAsync("{\"action\":\"subscribe\",\"symbols\":[\"7203\"]}"u8.ToArray(), System.Net.WebSockets.WebSocketMessageType.Text, true, cts.Token);
                Assert.Contains("\"type\":\"subscribed\"", await socket.ReceiveText(Wait)); // the server has seen the request by now
            }

            await node.WaitForLineAsync(line => line.Contains("/api/v1/ws/quotes?token=", StringComparison.Ordinal)).WaitAsync(Wait);

            var output = node.Output;
            Assert.DoesNotContain(password, output);
            Assert.DoesNotContain(token, output);
            Assert.DoesNotContain(adminKey, output);
            Assert.Contains("/api/v1/ws/quotes?token=" + LogRedaction.Mask, output);
            Assert.Contains("Admin endpoint listening on http://127.0.0.1:", output);
            var lines = output.Split('\n').Where(l => LineStart().IsMatch(l)).ToArray();
            Assert.NotEmpty(lines);
            Assert.All(lines, l => Assert.Matches(NodeLine(), l));
            Assert.Contains(lines, l => l.Contains(" Akka.", StringComparison.Ordinal)); // Akka's own logs, same stream
            Assert.Contains(lines, l => l.Contains(" Microsoft.AspNetCore.", StringComparison.Ordinal));
        }
        finally
        {
            await node.StopAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // left for the OS
            }
        }
    }

    [Theory(DisplayName = "Redaction masks credentials in query strings and bearer headers, and leaves other text and shell placeholders alone")]
    [InlineData("GET http://h/api/v1/ws/quotes?token=abc.def-ghi&mode=changes", "GET http://h/api/v1/ws/quotes?token=***&mode=changes")]
    [InlineData("GET /x?a=1&access_token=zzz", "GET /x?a=1&access_token=***")]
    [InlineData("Authorization: Bearer eyJhbGciOi.abc", "Authorization: Bearer ***")]
    [InlineData("ws://h/prices?token=$TOKEN", "ws://h/prices?token=$TOKEN")]
    [InlineData("monkey=banana tokens=3", "monkey=banana tokens=3")]
    [InlineData("GET /api/v1/ws/quotes?%74oken=abc.def&mode=changes", "GET /api/v1/ws/quotes?%74oken=***&mode=changes")]
    [InlineData("GET /x?%6Bey=admin-key", "GET /x?%6Bey=***")]
    [InlineData("GET /x?%54OKEN=abc", "GET /x?%54OKEN=***")]
    [InlineData("no secrets here", "no secrets here")]
    public void Redaction(string line, string expected) => Assert.Equal(expected, LogRedaction.Redact(line));

    [Fact(DisplayName = "The JSON log line carries the node, the template's values, and masks a token among them")]
    public void Json_line()
    {
        var identity = new NodeIdentity(Microsoft.Extensions.Options.Options.Create(new ActorQuotes.Gateway.Hosting.NodeOptions { Port = 4053 }));
        var formatter = new NodeJsonConsoleFormatter(identity);
        var state = new List<KeyValuePair<string, object?>>
        {
            new("Path", "/api/v1/ws/quotes?token=secret-token-value"),
            new("{OriginalFormat}", "Request {Path}"),
        };
        using var output = new StringWriter();

        formatter.Write(new Microsoft.Extensions.Logging.Abstractions.LogEntry<List<KeyValuePair<string, object?>>>(
            Microsoft.Extensions.Logging.LogLevel.Information, "Test.Category", new Microsoft.Extensions.Logging.EventId(7), state, null,
            (s, _) => "Request " + s[0].Value), null, output);

        var line = System.Text.Json.Nodes.JsonNode.Parse(output.ToString())!;
        Assert.Equal(("Information", "akka.tcp://actorquotes@127.0.0.1:4053", "Test.Category", 7),
            (line["level"]!.GetValue<string>(), line["node"]!.GetValue<string>(), line["category"]!.GetValue<string>(), line["event_id"]!.GetValue<int>()));
        Assert.Equal("Request /api/v1/ws/quotes?token=***", line["message"]!.GetValue<string>());
        Assert.Equal("/api/v1/ws/quotes?token=***", line["state"]!["Path"]!.GetValue<string>());
        Assert.DoesNotContain("secret-token-value", output.ToString());
    }

    /// <summary>
    /// Registers and logs in, trying again while the fresh process answers 503 (its first requests can
    /// outrun the cluster's start on a loaded machine; the API says to retry).
    /// </summary>
    private static async Task<(string Token, long UserId)> RegisterAndLogin(GatewayProcess node, string password)
    {
        var body = "{\"username\":\"logcheck\",\"password\":\"" + password + "\"}";
        for (var attempt = 1; ; attempt++)
        {
            var register = await node.Http.PostAsync("/api/v1/auth/register", ApiClient.Json(body));
            if (register.StatusCode is System.Net.HttpStatusCode.Created or System.Net.HttpStatusCode.Conflict && attempt > 1
                || register.StatusCode == System.Net.HttpStatusCode.Created)
            {
                break;
            }

            // 503: refused; 504: the registration may have happened (then the retry answers 409, accepted above).
            Assert.True(register.StatusCode is System.Net.HttpStatusCode.ServiceUnavailable or System.Net.HttpStatusCode.GatewayTimeout && attempt < 5,
                $"register answered {register.StatusCode}:\n{node.Output}");
        }

        for (var attempt = 1; ; attempt++)
        {
            var login = await node.Http.PostAsync("/api/v1/auth/login", ApiClient.Json(body));
            if (login.StatusCode == System.Net.HttpStatusCode.OK)
            {
                var json = await login.ReadJson();
                return (json["token"]!.GetValue<string>(), json["user_id"]!.GetValue<long>());
            }

            Assert.True(login.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && attempt < 5,
                $"login answered {login.StatusCode}:\n{node.Output}");
        }
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT")]
    private static partial Regex LineStart();

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (trce|dbug|info|warn|fail|crit) \[akka\.tcp://actorquotes@127\.0\.0\.1:\d+\] \S+: ")]
    private static partial Regex NodeLine();
}
