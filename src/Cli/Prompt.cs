using System.Text;

namespace ActorQuotes.Cli;

/// <summary>
/// The interactive prompt: one command per line with the same words as on the command line, arrow keys
/// for history (kept in ~/.aq_history) and editing at a terminal, <c>help</c>, <c>history</c>, <c>exit</c>.
/// Ctrl+C stops the running command (a <c>cluster tail</c>), not the prompt. The exit code is the last
/// command's.
/// </summary>
public sealed class Prompt(AqConsole console, GlobalOptions options)
{
    public const int MaxHistory = 500;

    private readonly List<string> _history = [];

    public async Task<int> RunAsync()
    {
        LoadHistory();
        await console.Out.WriteLineAsync($"aq connected to {options.Node}; 'help' lists the commands, 'exit' leaves.");
        var last = ExitCodes.Ok;
        while (true)
        {
            var prompt = $"aq {options.Node}> ";
            var line = console.IsInteractiveTerminal ? ReadLineWithHistory(prompt) : await ReadLinePlain(prompt);
            if (line is null)
            {
                return last;
            }

            line = line.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            Remember(line);
            switch (line)
            {
                case "exit" or "quit":
                    return last;
                case "history":
                    for (var i = 0; i < _history.Count; i++)
                    {
                        await console.Out.WriteLineAsync($"{i + 1,4}  {_history[i]}");
                    }

                    continue;
            }

            try
            {
                var lineOptions = GlobalOptions.Parse(CommandLine(line), console.Environment, options);
                if (lineOptions.Words.Count == 0)
                {
                    Help.Overview(console.Out);
                    continue;
                }

                last = await AqApp.RunOneAsync(lineOptions, console, console.CancelKeyToken?.Invoke() ?? CancellationToken.None);
            }
            catch (UsageException e)
            {
                await console.Error.WriteLineAsync("error: " + e.Message);
                last = ExitCodes.Usage;
            }
        }
    }

    private static IReadOnlyList<string> CommandLine(string line)
    {
        var words = GlobalOptions.Tokenize(line);
        return words.Count > 0 && words[0] == "aq" ? words.Skip(1).ToArray() : words; // pasted from a shell
    }

    private async Task<string?> ReadLinePlain(string prompt)
    {
        await console.Out.WriteAsync(prompt);
        await console.Out.FlushAsync();
        var line = await console.In.ReadLineAsync();
        if (line is not null && !console.IsInteractiveTerminal)
        {
            await console.Out.WriteLineAsync(line); // echo, so a transcript reads like a session
        }

        return line;
    }

    /// <summary>A small line editor: ←/→, Home/End, Backspace/Delete, ↑/↓ through history, Ctrl+D on an empty line to leave.</summary>
    private string? ReadLineWithHistory(string prompt)
    {
        Console.Write(prompt);
        var buffer = new StringBuilder();
        var cursor = 0;
        var index = _history.Count;
        var draft = string.Empty;
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.WriteLine();
                    return buffer.ToString();
                case ConsoleKey.Backspace when cursor > 0:
                    buffer.Remove(--cursor, 1);
                    break;
                case ConsoleKey.Delete when cursor < buffer.Length:
                    buffer.Remove(cursor, 1);
                    break;
                case ConsoleKey.LeftArrow when cursor > 0:
                    cursor--;
                    break;
                case ConsoleKey.RightArrow when cursor < buffer.Length:
                    cursor++;
                    break;
                case ConsoleKey.Home:
                    cursor = 0;
                    break;
                case ConsoleKey.End:
                    cursor = buffer.Length;
                    break;
                case ConsoleKey.UpArrow when index > 0:
                    if (index == _history.Count)
                    {
                        draft = buffer.ToString();
                    }

                    Replace(_history[--index]);
                    break;
                case ConsoleKey.DownArrow when index < _history.Count:
                    index++;
                    Replace(index == _history.Count ? draft : _history[index]);
                    break;
                case ConsoleKey.D when key.Modifiers.HasFlag(ConsoleModifiers.Control) && buffer.Length == 0:
                    Console.WriteLine();
                    return null;
                default:
                    if (!char.IsControl(key.KeyChar))
                    {
                        buffer.Insert(cursor++, key.KeyChar);
                    }

                    break;
            }

            Redraw();
        }

        void Replace(string text)
        {
            buffer.Clear().Append(text);
            cursor = buffer.Length;
        }

        void Redraw()
        {
            Console.Write("\r" + prompt + buffer + "\u001b[K");
            Console.Write("\r" + prompt + buffer.ToString(0, cursor));
        }
    }

    private void Remember(string line)
    {
        if (_history.Count > 0 && _history[^1] == line)
        {
            return;
        }

        _history.Add(line);
        if (_history.Count > MaxHistory)
        {
            _history.RemoveAt(0);
        }

        if (console.HistoryFile is { } file && !line.Contains("--key", StringComparison.Ordinal)) // never store a key
        {
            try
            {
                File.AppendAllLines(file, [line]);
            }
            catch (IOException)
            {
                // history is a convenience
            }
            catch (UnauthorizedAccessException)
            {
                // history is a convenience
            }
        }
    }

    private void LoadHistory()
    {
        if (console.HistoryFile is not { } file || !File.Exists(file))
        {
            return;
        }

        try
        {
            _history.AddRange(File.ReadLines(file).Where(l => l.Length > 0).TakeLast(MaxHistory));
        }
        catch (IOException)
        {
            // history is a convenience
        }
    }
}
