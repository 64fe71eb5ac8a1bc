using ActorQuotes.Bench.Baselines;
using ActorQuotes.Bench.Baselines.SignalR;
using Microsoft.AspNetCore.SignalR;

// B1, the usual choice: an ASP.NET Core SignalR hub, one group per symbol, JSON protocol, fed through the
// SUT's ingest contract.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
// A client that sends nothing for 30 s is dropped by default; the benchmark stops idle servers (SIGSTOP) while
// another is measured, and the pings clients sent meanwhile are read only after resuming. Not a throughput setting.
builder.Services.AddSignalR(o => o.ClientTimeoutInterval = TimeSpan.FromMinutes(10));
var catalog = BaselineCatalog.Load(builder.Configuration);
var book = new TickBook(catalog);
builder.Services.AddSingleton(book);

var app = builder.Build();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
var hub = app.Services.GetRequiredService<IHubContext<QuoteHub>>();
app.MapIngest(book, quotes =>
{
    if (quotes.Count == 0)
    {
        return ValueTask.CompletedTask;
    }

    var sends = new Task[quotes.Count];
    for (var i = 0; i < quotes.Count; i++)
    {
        sends[i] = hub.Clients.Group(quotes[i].Symbol).SendAsync("quote", QuoteMessage.From(quotes[i]));
    }

    return new ValueTask(Task.WhenAll(sends));
});
app.MapHub<QuoteHub>("/hubs/quotes");
app.Run();
