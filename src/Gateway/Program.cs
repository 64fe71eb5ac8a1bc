using ActorQuotes.Gateway;
using ActorQuotes.Gateway.Hosting;
using Microsoft.Extensions.Options;

// Before anything opens a socket: the runtime reads this once (docs/operations.md, "Socket completions").
SocketCompletions.PreferInline();

try
{
    var app = GatewayApp.Build(args);
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (RefusalIn(e) is { } refusal)
{
    // A configuration the node refuses gets its message, not a stack trace.
    await Console.Error.WriteLineAsync($"ActorQuotes cannot start: {refusal.Message}");
    return 2;
}

static Exception? RefusalIn(Exception? e)
{
    for (; e is not null; e = e.InnerException)
    {
        if (e is OptionsValidationException or NodeConfigurationException)
        {
            return e;
        }
    }

    return null;
}
