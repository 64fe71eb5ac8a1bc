using System.Collections.Immutable;
using ActorQuotes.Actors.Feeds;

namespace ActorQuotes.Gateway.Hosting;

/// <summary>Prepares the feeds that need more than their options: the replay reads its file first.</summary>
public static class FeedSetup
{
    public const string SimulatedFeedName = "simulated-feed";
    public const string ReplayFeedName = "replay-feed";

    /// <summary>
    /// Reads <see cref="ReplayFeedOptions.Path"/>, logs each bad row as a warning and returns the good ones
    /// for <see cref="ReplayFeedActor"/>. Read at start on every quotes node, so a missing file stops the node
    /// at once rather than when the feed's singleton lands on it.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file is missing; the message names <c>Feeds:Replay:Path</c>.</exception>
    public static ImmutableArray<ReplayRow> LoadReplay(ReplayFeedOptions options, ILogger logger)
    {
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            throw new InvalidOperationException($"{ReplayFeedOptions.Section}:Path is required when {ReplayFeedOptions.Section}:Enabled is true.");
        }

        var path = Resolve(options.Path)
                   ?? throw new FileNotFoundException(
                       $"{ReplayFeedOptions.Section}:Path names '{options.Path}', but there is no such file in {Environment.CurrentDirectory} or above it.",
                       options.Path);

        var replay = ReplayCsv.ParseFile(path);
        foreach (var error in replay.Errors)
        {
            logger.LogWarning("{Path}:{Line}: {Message}", path, error.Line, error.Message);
        }

        logger.LogInformation("Replaying {Rows} rows of {Path} at {Speed}x{Loop}", replay.Rows.Length, path, options.Speed,
            options.Loop ? ", looping" : string.Empty);
        return replay.Rows;
    }

    /// <summary>
    /// The full path of an existing file: an absolute path as it is; a relative one from the working directory,
    /// else from the nearest parent that has it. <c>dotnet run --project src/Gateway</c> runs in src/Gateway,
    /// and a path from the repository root (<c>samples/replay/sample.csv</c>) should still work.
    /// </summary>
    private static string? Resolve(string path)
    {
        if (Path.IsPathRooted(path))
        {
            return File.Exists(path) ? path : null;
        }

        for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, path);
            if (File.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        return null;
    }
}
