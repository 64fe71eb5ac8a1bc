using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Hosting;

/// <summary>Tells whoever started the node where to point a client and how to get a token.</summary>
public sealed class StartupBanner(
    IServer server,
    IHostApplicationLifetime lifetime,
    IOptions<StorageOptions> storage,
    ILogger<StartupBanner> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:8000";
            var ws = address.Replace("http://", "ws://", StringComparison.Ordinal).Replace("https://", "wss://", StringComparison.Ordinal);
            logger.LogInformation(
                """
                ActorQuotes is up at {Address} (data in {DataDirectory}; socket completions {SocketCompletions}).
                  1. Register:  curl -s -X POST {Address}/api/v1/auth/register -H 'Content-Type: application/json' -d '{{"username":"alice","password":"correct-horse"}}'
                  2. Token:     curl -s -X POST {Address}/api/v1/auth/login -H 'Content-Type: application/json' -d '{{"username":"alice","password":"correct-horse"}}'
                  3. Watchlist: curl -s -X POST {Address}/api/v1/watchlists -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{{"name":"Core"}}'
                  4. Stock:     curl -s -X PUT {Address}/api/v1/watchlists/1/stocks/7203 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{{"quantity":100,"purchase_price":2500}}'
                  5. Stream:    point any WebSocket client at {WebSocket}/api/v1/ws/watchlist/1/prices?token=$TOKEN
                """,
                address, storage.Value.FullDataDirectory, SocketCompletions.Describe(), address, address, address, address, ws);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
