namespace ActorQuotes.Gateway.Tests;

/// <summary>One running gateway shared by the tests of a class; each test uses its own users.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    private GatewayHost? _host;

    public GatewayHost Host => _host ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync() => _host = await GatewayHost.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    /// <summary>A username no other test uses.</summary>
    public static string NewUsername(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..12];
}
