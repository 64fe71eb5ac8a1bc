using System.Diagnostics;

namespace ActorQuotes.Gateway.Tests.Infrastructure;

/// <summary>
/// A small tmpfs of its own (<c>mount -t tmpfs</c>, run as root): a real file system a test can fill to the last
/// byte or mount read-only, without touching the machine's disks. Unmounted and removed on disposal.
/// </summary>
public sealed class TmpfsMount : IAsyncDisposable
{
    private TmpfsMount(string path) => Path = path;

    public string Path { get; }

    /// <summary>Mounts a tmpfs of <paramref name="size"/> (<c>4m</c>) with the extra <paramref name="options"/> (<c>ro</c>).</summary>
    public static async Task<TmpfsMount> CreateAsync(string size, string? options = null)
    {
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException(
                $"This test mounts a tmpfs (a disk it can fill or make read-only), which needs root; this runs as {Environment.UserName}. " +
                "Run it as root (test.sh in CI runs as root).");
        }

        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "aq-tmpfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        await RunAsync("mount", "-t", "tmpfs", "-o", options is null ? $"size={size}" : $"size={size},{options}", "tmpfs", path);
        return new TmpfsMount(path);
    }

    /// <summary>Writes zeros into <paramref name="name"/> until the file system has no byte left.</summary>
    public async Task<string> FillAsync(string name)
    {
        var fill = System.IO.Path.Combine(Path, name);
        // Unbuffered: a write that does not fit fails at once, and nothing is left for Dispose to flush.
        await using var stream = new FileStream(fill, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.None);
        var block = new byte[64 * 1024];
        try
        {
            while (true)
            {
                await stream.WriteAsync(block);
            }
        }
        catch (IOException)
        {
            // ENOSPC: the disk is full, which is the point; a smaller write may still fit the last partial block
        }

        for (var size = block.Length / 2; size >= 512; size /= 2)
        {
            try
            {
                await stream.WriteAsync(block.AsMemory(0, size));
            }
            catch (IOException)
            {
                // that much did not fit; try half
            }
        }

        return fill;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync("umount", Path);
        }
        catch (InvalidOperationException)
        {
            await RunAsync("umount", "-l", Path); // still busy (a process that just died): detach it now
        }

        Directory.Delete(Path);
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start " + file);
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {error}");
        }
    }
}
