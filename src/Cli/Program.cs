using ActorQuotes.Cli;

return await AqApp.RunAsync(args, AqConsole.System());
