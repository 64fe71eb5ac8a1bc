using ActorQuotes.Actors.Catalog;
using ActorQuotes.Actors.Feeds;
using ActorQuotes.Actors.Sessions;
using ActorQuotes.Actors.Tickers;
using ActorQuotes.Gateway.Auth;
using ActorQuotes.Gateway.Endpoints;
using ActorQuotes.Gateway.Fencing;
using ActorQuotes.Gateway.Hosting;
using ActorQuotes.Gateway.Observability;
using ActorQuotes.Gateway.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Json;

namespace ActorQuotes.Gateway;

/// <summary>The composition root, shared by <c>Program</c> and the end-to-end tests.</summary>
public static class GatewayApp
{
    /// <summary>Largest request body the REST API reads.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    /// <param name="args">Command-line settings.</param>
    /// <param name="configureServices">Last word on the services (tests pass a clock); null in production.</param>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // appsettings.json sits beside the binary, wherever `dotnet run` is started from.
            ContentRootPath = AppContext.BaseDirectory,
        });

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.ConfigureEndpointDefaults(listen => listen.UseRejectionProblems());
        });
        builder.Logging.AddActorQuotesConsole();

        var services = builder.Services;
        services.AddOptions<NodeOptions>().BindConfiguration(NodeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<NodeOptions>, NodeOptionsValidator>();
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section)
            .Validate(s => s.IsSqlite || s.IsPostgreSql, "Storage:Provider must be 'sqlite' or 'postgresql'.")
            .Validate(s => s.IsSqlite || !string.IsNullOrWhiteSpace(s.ConnectionString),
                "Storage:ConnectionString is required when Storage:Provider is 'postgresql'.")
            .ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations()
            .Validate(a => a.TokenLifetime > TimeSpan.Zero, "Auth:TokenLifetime must be positive.")
            .ValidateOnStart();
        services.AddOptions<SimulatedFeedOptions>().BindConfiguration(SimulatedFeedOptions.Section)
            .Validate(f => f.TicksPerSecond is > 0 and <= 1_000_000, "Feeds:Simulated:TicksPerSecond must be 1 to 1,000,000.")
            .Validate(f => f.Interval > TimeSpan.Zero, "Feeds:Simulated:Interval must be positive.")
            .ValidateOnStart();
        services.AddOptions<ReplayFeedOptions>().BindConfiguration(ReplayFeedOptions.Section)
            .Validate(r => double.IsFinite(r.Speed) && r.Speed > 0, "Feeds:Replay:Speed must be greater than 0.")
            .Validate(r => !r.Enabled || !string.IsNullOrWhiteSpace(r.Path), "Feeds:Replay:Path is required when Feeds:Replay:Enabled is true.")
            .ValidateOnStart();
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section)
            .Validate(i => i.ApiKeys.All(k => !string.IsNullOrWhiteSpace(k)), "Feeds:Ingest:ApiKeys must not hold empty keys.")
            .ValidateOnStart();
        services.AddOptions<TickerOptions>().BindConfiguration(TickerOptions.Section)
            .Validate(t => t.MaxJumpPercent > 0, "Tickers:MaxJumpPercent must be positive.")
            .Validate(t => t.SnapshotEveryTicks > 0 && t.SnapshotInterval > TimeSpan.Zero && t.RollCheckInterval > TimeSpan.Zero,
                "Tickers:SnapshotEveryTicks, SnapshotInterval and RollCheckInterval must be positive.")
            .Validate(t => t.SequenceBlock >= 2, "Tickers:SequenceBlock must be at least 2.")
            .Validate(t => t.MaxFutureSkew > TimeSpan.Zero, "Tickers:MaxFutureSkew must be positive (e.g. 00:05:00).")
            .ValidateOnStart();
        services.AddOptions<StreamingOptions>().BindConfiguration(StreamingOptions.Section)
            .Validate(s => s.FrameInterval >= TimeSpan.Zero && s.MaxSilence > TimeSpan.Zero, "Streaming intervals must be positive.")
            .Validate(s => s.DispatcherThreads is >= 1 and <= 256, "Streaming:DispatcherThreads must be between 1 and 256.")
            .Validate(s => s.MaxBadMessages >= 1, "Streaming:MaxBadMessages must be at least 1.")
            .Validate(s => s.BadMessageWindow > TimeSpan.Zero, "Streaming:BadMessageWindow must be positive.")
            .Validate(s => string.IsNullOrWhiteSpace(s.PublicOrigin) || Streaming.StreamRequest.NormalizeOrigin(s.PublicOrigin) is not null,
                "Streaming:PublicOrigin must be an origin: http(s)://host[:port] with nothing after it (e.g. https://quotes.example.com).")
            .Validate(s => s.AllowedOrigins.All(o => Streaming.StreamRequest.NormalizeOrigin(o) is not null),
                "Streaming:AllowedOrigins must hold origins: http(s)://host[:port] with nothing after them.")
            .ValidateOnStart();

        services.AddOptions<RequestOptions>().BindConfiguration(RequestOptions.Section)
            .Validate(r => r.AskTimeout > TimeSpan.Zero && r.AskTimeout <= TimeSpan.FromMinutes(5),
                "Requests:AskTimeout must be more than 0 and at most 00:05:00.")
            .ValidateOnStart();
        services.AddOptions<WatchlistOptions>().BindConfiguration(WatchlistOptions.Section).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<WatchlistOptions>, WatchlistOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<CatalogOptions>().BindConfiguration(CatalogOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(provider => CatalogOptions.LoadCatalog(
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<CatalogOptions>>().Value,
            provider.GetRequiredService<ILoggerFactory>().CreateLogger<CompanyCatalog>()));
        services.AddSingleton(provider =>
        {
            var auth = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthOptions>>().Value;
            return new HashingPool(auth.HashingThreads, auth.HashingQueue);
        });
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<ActorQuotesRegions>();
        services.AddSingleton<JournalWarmup>();
        services.AddSingleton<Streaming.SocketRegistry>();
        services.AddSingleton<Streaming.LiveSessions>();
        services.AddSingleton<Streaming.StreamOrigins>();
        services.AddNodeFencing(); // before the actor system: its lease comes first and goes last
        services.AddActorQuotesAkka();
        services.AddTokenRevocations(); // after the actor system: its hosted service subscribes to pub-sub
        services.AddActorQuotesHealthChecks();
        services.AddActorQuotesOperations(); // after the actor system: the admin endpoint starts once it runs
        services.AddHostedService<StartupBanner>();

        services.AddAuthentication(TokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.Configure<JsonOptions>(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            // "100" is not a number: numbers in strings are refused, as are NaN and Infinity.
            json.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
            json.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
            // One meaning per body: {"quantity":-5,"quantity":5} is refused rather than read last-wins, and
            // "Quantity" is not "quantity" (it is unknown, so the field counts as missing and is named).
            json.SerializerOptions.AllowDuplicateProperties = false;
            json.SerializerOptions.PropertyNameCaseInsensitive = false;
        });
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            if (!context.ProblemDetails.Extensions.ContainsKey("code"))
            {
                var code = ApiProblems.CodeForStatus(status);
                context.ProblemDetails.Extensions["code"] = code;
                context.ProblemDetails.Type = ApiProblems.TypeFor(code);
            }

            context.ProblemDetails.Extensions.Remove("traceId");
        });
        services.AddExceptionHandler<ActorExceptionHandler>();
        configureServices?.Invoke(services);

        var app = builder.Build();
        var rejections = KestrelRejections.AnswerWithProblems(app.Services.GetRequiredService<System.Diagnostics.DiagnosticListener>());
        app.Lifetime.ApplicationStopped.Register(rejections.Dispose);
        var gateway = ServesPublicApi(builder.Configuration);
        app.UseExceptionHandler();
        app.UseNodeFence();
        if (gateway)
        {
            app.UseStreamEndpoints();
        }

        app.UseStatusCodePages();
        if (gateway)
        {
            app.UseWebClient();
        }

        app.UseWebSockets();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapActorQuotesHealth();

        // The public API and the web client are the gateway role's; other nodes answer health checks only.
        if (gateway)
        {
            app.MapAuthEndpoints();
            app.MapCompanyEndpoints();
            app.MapMarketEndpoints();
            app.MapWatchlistEndpoints();
            app.MapStreamEndpoints();
            app.MapIngestEndpoints();
            app.MapQuoteEndpoints();
        }

        return app;
    }

    /// <summary>Whether <c>Node:Roles</c> holds <c>gateway</c>; a malformed list is left to the start-time validation.</summary>
    private static bool ServesPublicApi(IConfiguration configuration)
    {
        try
        {
            return configuration.GetSection(NodeOptions.Section).Get<NodeOptions>()?.ParsedRoles().Gateway ?? true;
        }
        catch (FormatException)
        {
            return true;
        }
    }
}
