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
            var (token, _) = await node.Http.RegisterAndLogin("logcheck", password);
            using (var socket = new System.Net.WebSockets.ClientWebSocket())
            {
                var uri = new Uri(node.BaseAddress.ToString().Replace("http://", "ws://", StringComparison.Ordinal) + "api/v1/ws/quotes?token=" + token);
                using var cts = new CancellationTokenSource(Wait);
                await socket.ConnectAsync(uri, cts.Token);
                await socket.SendAsync("{\"action\":\"subscribe\",\"symbols\":[\"7203\"]}"u8.ToArray(), System.Net.WebSockets.WebSocketMessageType.Text, true, cts.Token);
                Assert.Contains("\"type\":\"subscribed\"", await socket.ReceiveText(Wait)); // the server has seen the request by now
            }

            await Eventually(() => node.Output.Contains("/api/v1/ws/quotes?token=", StringComparison.Ordinal), node);

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
    [InlineData("no secrets here", "no secrets here")]
    public void Redaction(string line, string expected) => Assert.Equal(expected, LogRedaction.Redact(line));

    private static async Task Eventually(Func<bool> condition, GatewayProcess node)
    {
        using var deadline = new CancellationTokenSource(Wait);
        while (!condition())
        {
            try
            {
                await Task.Delay(50, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("the log never showed the request line:\n" + node.Output);
            }
        }
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT")]
    private static partial Regex LineStart();

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (trce|dbug|info|warn|fail|crit) \[akka\.tcp://actorquotes@127\.0\.0\.1:\d+\] \S+: ")]
    private static partial Regex NodeLine();
}
