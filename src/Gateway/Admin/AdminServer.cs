using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using ActorQuotes.Gateway.Observability;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Admin;

/// <summary>
/// The admin endpoint: a second, separate Kestrel server on its own port, so the public port cannot serve
/// an admin route by construction (no host filter to forget). It shares the node's services (actor
/// system, regions, sessions) and its log stream, and starts after the actor system. Off, with a log
/// line saying so, when <c>Admin:Key</c> is not set.
/// </summary>
public sealed class AdminServer(
    IServiceProvider node,
    IOptions<AdminOptions> options,
    ILoggerFactory loggerFactory,
    ILogger<AdminServer> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>Where the admin endpoint listens (its real port when 0 was configured); null while off.</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            logger.LogInformation("Admin endpoint is off: set Admin:Key to enable it (aq, /metrics)");
            return;
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(AdminServer).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Parse(settings.Hostname), settings.Port);
            kestrel.Limits.MaxRequestBodySize = 16 * 1024;
        });
        builder.Services.AddSingleton<IHostLifetime, NodeOwnedLifetime>(); // SIGTERM belongs to the node's host
        builder.Services.AddRouting();
        builder.Services.AddProblemDetails();
        builder.Services.Configure<JsonOptions>(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            json.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        });
        builder.Services.AddSingleton(new AdminContext(node));
        builder.Services.AddSingleton(new AdminKeyCheck(settings.Key!));
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(loggerFactory));
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.None); // its "Now listening on" is the public port's line

        var app = builder.Build();
        var keyCheck = app.Services.GetRequiredService<AdminKeyCheck>();
        app.Use((context, next) => keyCheck.InvokeAsync(context, _ => next()));
        app.MapAdminEndpoints();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException(
                $"Admin:Port {settings.Port} on Admin:Hostname {settings.Hostname} cannot be bound ({e.Message}); choose another port, or 0 for a free one.", e);
        }

        _app = app;

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(bound);
        logger.LogInformation("Admin endpoint listening on {AdminAddress} (aq --node {AdminNode}; /metrics)", bound, Address.Authority);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
            _app = null;
        }
    }

    /// <summary>The admin server starts and stops with the node's host and never listens for signals itself.</summary>
    private sealed class NodeOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Sends the admin server's logs into the node's own logging, so there is one stream.</summary>
internal sealed class ForwardingLoggerProvider(ILoggerFactory target) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => target.CreateLogger(categoryName);

    public void Dispose()
    {
    }
}

/// <summary>The node's services as the admin handlers see them (resolved from the node's container).</summary>
public sealed class AdminContext(IServiceProvider node)
{
    public Akka.Actor.ActorSystem System => node.GetRequiredService<Akka.Actor.ActorSystem>();

    public Hosting.ActorQuotesRegions Regions => node.GetRequiredService<Hosting.ActorQuotesRegions>();

    public Streaming.LiveSessions Sessions => node.GetRequiredService<Streaming.LiveSessions>();

    public Streaming.SocketRegistry Sockets => node.GetRequiredService<Streaming.SocketRegistry>();

    public Actors.Catalog.CompanyCatalog Catalog => node.GetRequiredService<Actors.Catalog.CompanyCatalog>();

    /// <summary>This node's cluster address.</summary>
    public string NodeAddress => Akka.Cluster.Cluster.Get(System).SelfAddress.ToString();

    public TimeProvider Clock => node.GetRequiredService<TimeProvider>();

    public CancellationToken NodeStopping => node.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
}
