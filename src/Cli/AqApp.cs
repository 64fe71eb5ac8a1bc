namespace ActorQuotes.Cli;

/// <summary>
/// aq: one command from the arguments, or an interactive prompt when there is none. Exit codes:
/// 0 done, 1 the node refused or could not be reached, 2 unknown command or wrong arguments (help is
/// printed), 3 the admin key is missing or wrong.
/// </summary>
public static class AqApp
{
    public static async Task<int> RunAsync(string[] args, AqConsole console)
    {
        GlobalOptions options;
        try
        {
            options = GlobalOptions.Parse(args, console.Environment);
        }
        catch (UsageException e)
        {
            return Usage(console, e);
        }

        if (options.Words.Count == 0 && options.Help)
        {
            Help.Overview(console.Out);
            return ExitCodes.Ok;
        }

        if (options.Words.Count == 0)
        {
            return await new Prompt(console, options).RunAsync();
        }

        return await RunOneAsync(options, console, console.CancelKeyToken?.Invoke() ?? CancellationToken.None);
    }

    /// <summary>Runs the command named by <paramref name="options"/>' words and reports errors on the error writer.</summary>
    public static async Task<int> RunOneAsync(GlobalOptions options, AqConsole console, CancellationToken cancellationToken)
    {
        try
        {
            if (options.Words[0] == "help")
            {
                return Help.For(options.Words.Skip(1).ToArray(), console.Out);
            }

            if (Commands.Find(options.Words) is not var (command, rest))
            {
                var words = string.Join(' ', options.Words.Take(2));
                throw new UsageException(Commands.IsGroup(options.Words[0])
                    ? $"unknown command '{words}'"
                    : $"unknown command '{options.Words[0]}'", Commands.IsGroup(options.Words[0]) ? options.Words[0] : null);
            }

            if (options.Help)
            {
                Help.Command(command, console.Out);
                return ExitCodes.Ok;
            }

            var args = new CommandArgs(command.Name, rest, command.Options);
            if (string.IsNullOrEmpty(options.Key))
            {
                throw new AdminException(ExitCodes.Unauthorized, $"no admin key: pass --key <key> or set {GlobalOptions.KeyVariable} (Admin:Key on the node)");
            }

            using var admin = new AdminClient(options.Node, options.Key);
            return await command.Run(new Invocation(args, admin, console.Out, options.Json, cancellationToken));
        }
        catch (UsageException e)
        {
            return Usage(console, e);
        }
        catch (AdminException e)
        {
            await console.Error.WriteLineAsync("error: " + e.Message);
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await console.Error.WriteLineAsync("cancelled");
            return ExitCodes.Failed;
        }
    }

    private static int Usage(AqConsole console, UsageException e)
    {
        console.Error.WriteLine("error: " + e.Message);
        console.Error.WriteLine();
        if (e.Command is not null && Commands.All.Where(c => c.Name == e.Command || c.Name.StartsWith(e.Command + " ", StringComparison.Ordinal)).ToArray() is { Length: > 0 } matching)
        {
            foreach (var command in matching)
            {
                Help.Command(command, console.Error);
            }
        }
        else
        {
            Help.Overview(console.Error);
        }

        return ExitCodes.Usage;
    }
}

/// <summary>The help text: an overview of every command, or one command's usage.</summary>
public static class Help
{
    public static void Overview(TextWriter output)
    {
        output.WriteLine("aq: operate an ActorQuotes node through its admin endpoint.");
        output.WriteLine();
        output.WriteLine("Usage: aq [--node host:port] [--key <key>] [--json] <command> [arguments]");
        output.WriteLine("       aq [--node host:port] [--key <key>]          (interactive prompt)");
        output.WriteLine();
        output.WriteLine($"  --node  the node's admin endpoint (default {GlobalOptions.DefaultNode}, or ${GlobalOptions.NodeVariable})");
        output.WriteLine($"  --key   the admin key (Admin:Key on the node), or ${GlobalOptions.KeyVariable}");
        output.WriteLine("  --json  print the answer as JSON (one document; cluster tail: one per line)");
        output.WriteLine();
        output.WriteLine("Commands:");
        var width = Commands.All.Max(c => c.Usage.Length);
        foreach (var command in Commands.All)
        {
            output.WriteLine($"  {command.Usage.PadRight(width)}  {command.Summary}");
        }

        output.WriteLine($"  {"help [command]".PadRight(width)}  This text, or one command's");
        output.WriteLine();
        output.WriteLine("Exit codes: 0 done, 1 the node refused or could not be reached, 2 wrong command or arguments, 3 missing or wrong key.");
    }

    public static void Command(Command command, TextWriter output)
    {
        output.WriteLine($"Usage: aq {command.Usage}");
        output.WriteLine($"  {command.Summary}");
    }

    public static int For(IReadOnlyList<string> topic, TextWriter output)
    {
        if (topic.Count == 0)
        {
            Overview(output);
            return ExitCodes.Ok;
        }

        var prefix = string.Join(' ', topic);
        var matching = Commands.All.Where(c => c.Name == prefix || c.Name.StartsWith(prefix + " ", StringComparison.Ordinal)).ToArray();
        if (matching.Length == 0)
        {
            throw new UsageException($"no command '{prefix}'");
        }

        foreach (var command in matching)
        {
            Command(command, output);
        }

        return ExitCodes.Ok;
    }
}
