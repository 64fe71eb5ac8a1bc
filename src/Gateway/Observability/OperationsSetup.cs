using ActorQuotes.Gateway.Admin;
using Microsoft.Extensions.Logging.Console;

namespace ActorQuotes.Gateway.Observability;

/// <summary>What operators get from a node: the admin endpoint, metrics, and one log stream with the node's address.</summary>
public static class OperationsSetup
{
    /// <summary>
    /// Console logs through <see cref="NodeConsoleFormatter"/> (or <see cref="NodeJsonConsoleFormatter"/> for
    /// <c>Logging:Console:FormatterName=json</c>). Call before the services are built.
    /// </summary>
    public static ILoggingBuilder AddActorQuotesConsole(this ILoggingBuilder logging)
    {
        logging.Services.AddSingleton<NodeIdentity>();
        logging.AddConsoleFormatter<NodeConsoleFormatter, ConsoleFormatterOptions>();
        logging.AddConsoleFormatter<NodeJsonConsoleFormatter, ConsoleFormatterOptions>();
        logging.Services.PostConfigure<ConsoleLoggerOptions>(console => console.FormatterName = console.FormatterName switch
        {
            null or "" or ConsoleFormatterNames.Simple or ConsoleFormatterNames.Systemd => NodeConsoleFormatter.Name,
            ConsoleFormatterNames.Json => NodeJsonConsoleFormatter.Name,
            var other => other,
        });
        return logging;
    }

    /// <summary>The admin endpoint and the node identity for logs. Register after the actor system (they start after it).</summary>
    public static IServiceCollection AddActorQuotesOperations(this IServiceCollection services)
    {
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section).ValidateDataAnnotations()
            .Validate(a => AdminOptions.IsValidHostname(a.Hostname), "Admin:Hostname must be an IP address (127.0.0.1, ::1, 0.0.0.0).")
            .ValidateOnStart();
        services.AddHostedService<NodeIdentityPublisher>();
        services.AddSingleton<AdminServer>();
        services.AddHostedService(provider => provider.GetRequiredService<AdminServer>());
        return services;
    }
}
