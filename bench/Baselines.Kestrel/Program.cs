using ActorQuotes.Bench.Baselines;
using ActorQuotes.Bench.Baselines.Kestrel;

// B0, the limit: the SUT's ingest and quote-stream protocol on bare Kestrel WebSockets, no actors.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });

var book = new TickBook(BaselineCatalog.Load(app.Configuration));
var broadcaster = new Broadcaster(book);
app.MapIngest(book, broadcaster.Publish);
app.Map("/api/v1/ws/quotes", broadcaster.ServeAsync);
app.Run();
