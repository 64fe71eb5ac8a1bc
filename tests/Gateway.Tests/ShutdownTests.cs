using System.Text.Json.Nodes;

namespace ActorQuotes.Gateway.Tests;

public sealed class ShutdownTests
{
    [Fact(DisplayName = "Stopping the node closes open streams with 1012 so clients reconnect elsewhere")]
    public async Task Drains_sockets_with_1012()
    {
        await using var host = await GatewayHost.StartAsync();
        var (token, _) = await host.Http.RegisterAndLogin("drain_user");
        var id = await host.Http.CreateWatchlist(token, "Drain");
        using var socket = await host.Connect($"/api/v1/ws/watchlist/{id}/prices?token={token}");
        Assert.Equal("price_update", JsonNode.Parse((await socket.ReceiveText(TimeSpan.FromSeconds(20)))!)!["type"]!.GetValue<string>());

        var stopping = host.StopAsync();
        string? text;
        do
        {
            text = await socket.ReceiveText(TimeSpan.FromSeconds(20));
        }
        while (text is not null);

        Assert.Equal(1012, (int)socket.CloseStatus!);
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
