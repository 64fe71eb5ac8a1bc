using System.Text;

namespace ActorQuotes.Cli;

/// <summary>A wrong command line: aq prints the message and the help, and exits with <see cref="ExitCodes.Usage"/>.</summary>
public sealed class UsageException(string message, string? command = null) : Exception(message)
{
    /// <summary>The command whose help to print, or null for the overview.</summary>
    public string? Command { get; } = command;
}

/// <summary>The options every command takes, and the words left for the command.</summary>
public sealed record GlobalOptions(string Node, string? Key, bool Json, bool Help, IReadOnlyList<string> Words)
{
    public const string DefaultNode = "127.0.0.1:8001";
    public const string KeyVariable = "AQ_ADMIN_KEY";
    public const string NodeVariable = "AQ_NODE";

    /// <summary>Takes <c>--node</c>, <c>--key</c>, <c>--json</c> and <c>-h|--help</c> from anywhere on the line.</summary>
    public static GlobalOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment, GlobalOptions? inherited = null)
    {
        string? node = null;
        string? key = null;
        var json = false;
        var help = false;
        var words = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var (name, inline) = Split(arg);
            switch (name)
            {
                case "--node":
                    node = inline ?? Value(args, ref i, name);
                    break;
                case "--key":
                    key = inline ?? Value(args, ref i, name);
                    break;
                case "--json":
                    json = true;
                    break;
                case "-h" or "--help":
                    help = true;
                    break;
                default:
                    words.Add(arg);
                    break;
            }
        }

        return new GlobalOptions(
            node ?? inherited?.Node ?? environment(NodeVariable) ?? DefaultNode,
            key ?? inherited?.Key ?? environment(KeyVariable),
            json || (inherited?.Json ?? false),
            help,
            words);
    }

    internal static (string Name, string? Inline) Split(string arg)
    {
        if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=', StringComparison.Ordinal) is var eq and > 2)
        {
            return (arg[..eq], arg[(eq + 1)..]);
        }

        return (arg, null);
    }

    internal static string Value(IReadOnlyList<string> args, ref int i, string name)
    {
        if (i + 1 >= args.Count || args[i + 1].Length == 0)
        {
            throw new UsageException($"{name} needs a value");
        }

        return args[++i];
    }

    /// <summary>Splits a prompt line into words: spaces separate, quotes group, backslash escapes.</summary>
    public static IReadOnlyList<string> Tokenize(string line)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
                else if (c == '\\' && i + 1 < line.Length && q == '"')
                {
                    current.Append(line[++i]);
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }
            }
            else
            {
                current.Append(c);
                inWord = true;
            }
        }

        if (quote is not null)
        {
            throw new UsageException("unterminated quote");
        }

        if (inWord)
        {
            words.Add(current.ToString());
        }

        return words;
    }
}

/// <summary>A command's own arguments: positionals and <c>-x value</c> options it declared.</summary>
public sealed class CommandArgs
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);
    private readonly List<string> _positionals = [];
    private readonly string _command;

    public CommandArgs(string command, IReadOnlyList<string> words, IReadOnlyDictionary<string, string> aliases)
    {
        _command = command;
        for (var i = 0; i < words.Count; i++)
        {
            var (name, inline) = GlobalOptions.Split(words[i]);
            if (name.Length > 1 && name[0] == '-' && !double.TryParse(name, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                if (!aliases.TryGetValue(name, out var canonical))
                {
                    throw new UsageException($"'{command}' has no option {name}", command);
                }

                _options[canonical] = inline ?? GlobalOptions.Value(words, ref i, name);
            }
            else
            {
                _positionals.Add(words[i]);
            }
        }
    }

    public IReadOnlyList<string> Positionals => _positionals;

    public string? Option(string name) => _options.GetValueOrDefault(name);

    public string Required(string name, string what) =>
        Option(name) ?? throw new UsageException($"'{_command}' needs {what}", _command);

    public string Positional(int index, string what) =>
        index < _positionals.Count ? _positionals[index] : throw new UsageException($"'{_command}' needs {what}", _command);

    public string? OptionalPositional(int index) => index < _positionals.Count ? _positionals[index] : null;

    public void AtMost(int count)
    {
        if (_positionals.Count > count)
        {
            throw new UsageException($"'{_command}' does not take '{_positionals[count]}'", _command);
        }
    }

    public int IntOption(string name, int fallback, int min, int max)
    {
        if (Option(name) is not { } text)
        {
            return fallback;
        }

        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new UsageException($"{name} must be a whole number from {min} to {max}", _command);
    }
}

public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The node refused the command or could not be reached.</summary>
    public const int Failed = 1;

    /// <summary>Unknown command or wrong arguments (help is printed).</summary>
    public const int Usage = 2;

    /// <summary>The admin key is missing or wrong.</summary>
    public const int Unauthorized = 3;
}
