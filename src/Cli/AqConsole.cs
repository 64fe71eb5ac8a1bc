namespace ActorQuotes.Cli;

/// <summary>Where aq reads and writes: the real console, or strings in tests.</summary>
public sealed class AqConsole
{
    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    public required TextReader In { get; init; }

    /// <summary>True when a person types at a terminal: the prompt edits lines and recalls history with the arrow keys.</summary>
    public bool IsInteractiveTerminal { get; init; }

    /// <summary>An environment variable (<c>AQ_ADMIN_KEY</c>, <c>AQ_NODE</c>).</summary>
    public Func<string, string?> Environment { get; init; } = global::System.Environment.GetEnvironmentVariable;

    /// <summary>Where the prompt keeps its history between runs; null keeps it in memory only.</summary>
    public string? HistoryFile { get; init; }

    /// <summary>Cancelled when the user presses Ctrl+C (the running command stops; the prompt stays).</summary>
    public Func<CancellationToken>? CancelKeyToken { get; init; }

    public static AqConsole System()
    {
        var home = global::System.Environment.GetFolderPath(global::System.Environment.SpecialFolder.UserProfile);
        return new AqConsole
        {
            Out = Console.Out,
            Error = Console.Error,
            In = Console.In,
            IsInteractiveTerminal = !Console.IsInputRedirected && !Console.IsOutputRedirected,
            HistoryFile = string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".aq_history"),
            CancelKeyToken = CtrlC.Next,
        };
    }

    /// <summary>One Ctrl+C cancels the command that is running, not aq itself.</summary>
    private static class CtrlC
    {
        private static CancellationTokenSource _current = new();
        private static bool _hooked;

        public static CancellationToken Next()
        {
            if (!_hooked)
            {
                _hooked = true;
                Console.CancelKeyPress += (_, e) =>
                {
                    e.Cancel = true;
                    _current.Cancel();
                };
            }

            if (_current.IsCancellationRequested)
            {
                _current.Dispose();
                _current = new CancellationTokenSource();
            }

            return _current.Token;
        }
    }
}
