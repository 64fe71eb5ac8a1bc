using System.Text;
using System.Text.Json.Nodes;

namespace ActorQuotes.Cli.Tests;

/// <summary>What one run of aq printed and returned.</summary>
public sealed record AqResult(int ExitCode, string Out, string Error)
{
    public JsonNode Json => JsonNode.Parse(Out) ?? throw new InvalidOperationException("no JSON: " + Out + Error);

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}";
}

/// <summary>Runs aq in this process against a node, as an operator would type it.</summary>
public static class Aq
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary><c>aq --node &lt;node&gt; --key &lt;key&gt; args…</c>.</summary>
    public static Task<AqResult> Run(AdminNode node, params string[] args) =>
        RunRaw(["--node", node.Admin, "--key", node.Key, .. args]);

    /// <summary>aq with exactly these arguments (no node or key added), no environment, input from <paramref name="input"/>.</summary>
    public static async Task<AqResult> RunRaw(string[] args, string input = "", CancellationToken cancel = default, TextWriter? output = null)
    {
        var stdout = output ?? new StringWriter();
        var stderr = new StringWriter();
        var console = new AqConsole
        {
            Out = stdout,
            Error = stderr,
            In = new StringReader(input),
            IsInteractiveTerminal = false,
            Environment = _ => null,
            HistoryFile = null,
            CancelKeyToken = () => cancel,
        };
        var exit = await AqApp.RunAsync(args, console).WaitAsync(Timeout);
        return new AqResult(exit, stdout.ToString()!, stderr.ToString());
    }
}

/// <summary>A writer that completes <see cref="Seen"/> once everything written contains the awaited text.</summary>
public sealed class WatchingWriter(string awaited) : StringWriter
{
    private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _all = new();

    public Task Seen => _seen.Task;

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_all)
        {
            _all.Append(value);
            base.Write(value);
            if (_all.ToString().Contains(awaited, StringComparison.Ordinal))
            {
                _seen.TrySetResult();
            }
        }
    }

    public override void Write(string? value)
    {
        lock (_all)
        {
            _all.Append(value);
            base.Write(value);
            if (_all.ToString().Contains(awaited, StringComparison.Ordinal))
            {
                _seen.TrySetResult();
            }
        }
    }

    public override void WriteLine(string? value) => Write(value + "\n");

    public override string ToString()
    {
        lock (_all)
        {
            return _all.ToString();
        }
    }
}
