using ActorQuotes.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ActorQuotes.Gateway.Tests;

/// <summary>
/// The real gateway (Kestrel, Akka cluster of one, SQLite file) on a free loopback port, in this process.
/// Several can run at once; each owns a data folder unless one is handed over to test restarts.
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsData;

    private GatewayHost(WebApplication app, string dataDirectory, bool ownsData)
    {
        _app = app;
        DataDirectory = dataDirectory;
        _ownsData = ownsData;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseAddress = new Uri(address);
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }

    public string DataDirectory { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public Uri WebSocketUri(string pathAndQuery) =>
        new(new Uri(BaseAddress.ToString().Replace("http://", "ws://", StringComparison.Ordinal)), pathAndQuery);

    public static Task<GatewayHost> StartAsync(string? dataDirectory = null, params string[] extraArgs) =>
        StartAsync(dataDirectory, configureServices: null, extraArgs);

    /// <summary>A gateway whose services the test has the last word on (a clock it moves, say).</summary>
    public static async Task<GatewayHost> StartAsync(string? dataDirectory, Action<IServiceCollection>? configureServices, params string[] extraArgs)
    {
        var owns = dataDirectory is null;
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "aq-test-" + Guid.NewGuid().ToString("N"));
        string[] args =
        [
            "--urls=http://127.0.0.1:0",
            "--Storage:DataDirectory=" + dataDirectory,
            "--Logging:LogLevel:Default=Warning",
            .. extraArgs,
        ];
        var app = GatewayApp.Build(args, configureServices);
        await app.StartAsync();
        var host = new GatewayHost(app, dataDirectory, owns);
        await host.WaitReadyAsync();
        return host;
    }

    /// <summary>
    /// Waits (bounded) for <c>/health/ready</c>, as a load balancer would before sending traffic: the node is an
    /// Up member and its shard coordinators answer, so a test's first request does not race cluster formation.
    /// </summary>
    private async Task WaitReadyAsync()
    {
        var last = "(no answer)";
        var ready = await Infrastructure.Eventually.TrueWithin(TimeSpan.FromSeconds(60), async () =>
        {
            using var response = await Http.GetAsync("/health/ready");
            last = await response.Content.ReadAsStringAsync();
            return response.IsSuccessStatusCode;
        });
        if (!ready)
        {
            throw new TimeoutException($"the gateway was not ready within 60 s: {last}");
        }
    }

    /// <summary>Stops the node as an operator would (graceful), keeping its data folder.</summary>
    public async Task StopAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (ObjectDisposedException)
        {
            // already stopped
        }

        if (_ownsData)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // a file still held open is left for the OS to clean up with the temp folder
            }
        }
    }
}
