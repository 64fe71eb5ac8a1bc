using System.Net;
using System.Net.WebSockets;
using ActorQuotes.Actors.Sessions;
using ActorQuotes.Gateway.Streaming;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Tests;

/// <summary>
/// Which browser origins may open a stream, by configuration: <c>Streaming:PublicOrigin</c>, the listening
/// addresses, and loopback origins in Development (docs/protocol.md, "Limits and safety").
/// </summary>
public sealed class StreamOriginTests
{
    [Fact(DisplayName = "With Streaming:PublicOrigin set, a page from that origin opens streams and one from the listening address or elsewhere gets 403")]
    public async Task Public_origin()
    {
        await using var host = await GatewayHost.StartAsync(null, "--Streaming:PublicOrigin=https://Quotes.Example.com/");

        Assert.Equal(HttpStatusCode.SwitchingProtocols, await UpgradeStatus(host, "https://quotes.example.com"));
        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatus(host, $"http://127.0.0.1:{host.BaseAddress.Port}"));
        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatus(host, "http://quotes.example.com"));
        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatus(host, "https://evil.example", hostHeader: "evil.example"));
    }

    [Fact(DisplayName = "In Development a page on any loopback port opens streams; a foreign page still gets 403")]
    public async Task Development_allows_loopback()
    {
        await using var host = await GatewayHost.StartAsync(null, "--environment=Development");

        Assert.Equal(HttpStatusCode.SwitchingProtocols, await UpgradeStatus(host, "http://localhost:5173"));
        Assert.Equal(HttpStatusCode.SwitchingProtocols, await UpgradeStatus(host, "http://[::1]:3000"));
        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatus(host, "https://evil.example"));
    }

    [Theory(DisplayName = "A public origin that is not http(s)://host[:port] stops the start with a message naming Streaming:PublicOrigin")]
    [InlineData("quotes.example.com")]
    [InlineData("https://quotes.example.com/app")]
    [InlineData("ftp://quotes.example.com")]
    public async Task Bad_public_origin_refused(string origin)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHost.StartAsync(null, "--Streaming:PublicOrigin=" + origin));

        Assert.Contains("Streaming:PublicOrigin must be an origin", error.Message, StringComparison.Ordinal);
    }

    [Fact(DisplayName = "Without a public origin, a wildcard listening address names no origin and a loopback one stands for every loopback name on its port")]
    public void Listen_addresses()
    {
        var allowed = StreamOrigins.Build(new StreamingOptions(), ["http://0.0.0.0:8000", "http://[::]:8001", "http://localhost:8002", "http://10.1.2.3:8003"]);

        Assert.Equal(
            ["http://10.1.2.3:8003", "http://127.0.0.1:8002", "http://[::1]:8002", "http://localhost:8002"],
            allowed.Order(StringComparer.Ordinal));
    }

    [Fact(DisplayName = "A public origin replaces the listening addresses; allowed origins are added to it")]
    public void Public_origin_replaces_listen_addresses()
    {
        var options = new StreamingOptions { PublicOrigin = "https://quotes.example.com:443", AllowedOrigins = ["https://partner.example/"] };

        var allowed = StreamOrigins.Build(options, ["http://localhost:8000"]);

        Assert.Equal(["https://partner.example", "https://quotes.example.com"], allowed.Order(StringComparer.Ordinal));
    }

    /// <summary>The HTTP status of a quote-stream upgrade sent as a browser on <paramref name="origin"/> would send it.</summary>
    public static async Task<HttpStatusCode> UpgradeStatus(GatewayHost host, string origin, string? hostHeader = null)
    {
        var (token, _) = await host.Http.RegisterAndLogin(GatewayFixture.NewUsername("orig"));
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", origin);
        if (hostHeader is not null)
        {
            socket.Options.SetRequestHeader("Host", hostHeader);
        }

        socket.Options.CollectHttpResponseDetails = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await socket.ConnectAsync(host.WebSocketUri($"/api/v1/ws/quotes?token={token}"), timeout.Token);
        }
        catch (WebSocketException)
        {
            // refused upgrade; the status code says why
        }

        return socket.HttpStatusCode;
    }
}
