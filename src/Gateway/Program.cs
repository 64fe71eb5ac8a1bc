using ActorQuotes.Gateway;

var app = GatewayApp.Build(args);
await app.RunAsync();
