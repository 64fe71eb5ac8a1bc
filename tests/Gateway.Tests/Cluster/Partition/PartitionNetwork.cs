using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace ActorQuotes.Gateway.Tests.Cluster.Partition;

/// <summary>
/// A private network for cluster nodes, made of Linux network namespaces (run as root):
/// <list type="bullet">
/// <item>one namespace per node (<c>aqp-PID-a</c>, …), each with two links:</item>
/// <item>the <b>access</b> link (<c>acc</c>, <see cref="AccessAddress"/>) to bridge <c>aqpPID</c> in this host's
/// namespace, where the test's HTTP clients (<see cref="ClientAddress"/>) and PostgreSQL (<see cref="DatabaseAddress"/>)
/// are;</item>
/// <item>the <b>cluster</b> link (<c>clu</c>, <see cref="ClusterAddress"/>) to bridge <c>cluster</c> in a namespace
/// of its own (<c>aqp-PID-sw</c>, the switch): Akka's traffic, which never reaches this host's namespace.</item>
/// </list>
/// <see cref="CutOffAsync"/> pulls a node's cable at the switch and makes the database unreachable from it, while the
/// node's own clients still reach it; <see cref="ShapeAsync"/> delays and drops packets on every cluster link.
/// Every name starts with <see cref="Prefix"/> and this process's id, so <see cref="RemoveLeftoversAsync"/> can
/// remove what a crashed run left behind without touching a run still going.
/// </summary>
public sealed partial class PartitionNetwork : IAsyncDisposable
{
    public const string Prefix = "aqp";

    private const string ClusterSubnet = "10.233.0";
    private const string ShapingChain = "AQSHAPE";
    private readonly string _id = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
    private readonly IReadOnlyList<string> _nodes;
    private readonly string _accessSubnet;

    private PartitionNetwork(IReadOnlyList<string> nodes, string accessSubnet)
    {
        _nodes = nodes;
        _accessSubnet = accessSubnet;
    }

    /// <summary>This host's address on the access bridge: where the test's HTTP requests come from.</summary>
    public string ClientAddress => $"{_accessSubnet}.1";

    /// <summary>PostgreSQL's address on the access bridge (a second address of this host).</summary>
    public string DatabaseAddress => $"{_accessSubnet}.2";

    /// <summary>The access network, CIDR, for PostgreSQL's pg_hba.</summary>
    public string AccessNetwork => $"{_accessSubnet}.0/24";

    private string Bridge => Prefix + _id;

    private string Switch => $"{Prefix}-{_id}-sw";

    public string Namespace(string node) => $"{Prefix}-{_id}-{node.ToLowerInvariant()}";

    public string AccessAddress(string node) => $"{_accessSubnet}.{11 + Index(node)}";

    public string ClusterAddress(string node) => $"{ClusterSubnet}.{11 + Index(node)}";

    /// <summary>Builds the network for <paramref name="nodes"/>; fails with what is missing when this cannot run here.</summary>
    public static async Task<PartitionNetwork> CreateAsync(IReadOnlyList<string> nodes)
    {
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException(
                $"The partition tests make network namespaces, veth pairs and bridges, which needs root; this runs as {Environment.UserName}. " +
                "Run them as root (test.sh in CI runs as root).");
        }

        await RemoveLeftoversAsync();
        var network = new PartitionNetwork(nodes, await FreeAccessSubnetAsync());
        try
        {
            await network.BuildAsync();
            return network;
        }
        catch (InvalidOperationException e)
        {
            await network.DisposeAsync();
            throw new InvalidOperationException(
                "Could not build the partition tests' network (ip netns, veth pairs, bridges; this kernel or container may not allow them): " + e.Message, e);
        }
    }

    /// <summary>
    /// Removes namespaces and bridges named by an earlier run of these tests whose process is gone (a crash, a
    /// killed runner), with any process still inside them (nodes that run on in a namespace nobody will delete).
    /// </summary>
    public static async Task RemoveLeftoversAsync()
    {
        foreach (var line in (await IpAsync("netns", "list")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = line.Split(' ')[0];
            if (LeftoverName().Match(name) is { Success: true } match && !IsAlive(match.Groups["pid"].Value))
            {
                await DeleteNamespaceAsync(name);
            }
        }

        foreach (var line in (await IpAsync("-o", "link", "show", "type", "bridge")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = line.Split(':', StringSplitOptions.TrimEntries)[1];
            if (LeftoverBridge().Match(name) is { Success: true } match && !IsAlive(match.Groups["pid"].Value))
            {
                await IpAsync("link", "del", "dev", name);
            }
        }
    }

    /// <summary>
    /// Cuts <paramref name="node"/> off: its cluster link goes down at the switch (a pulled cable), and unless
    /// <paramref name="keepDatabase"/>, packets from it to PostgreSQL vanish (a blackhole route: the database stays
    /// with the majority). Its clients still reach it either way.
    /// </summary>
    public async Task CutOffAsync(string node, bool keepDatabase)
    {
        await IpAsync("-n", Switch, "link", "set", "dev", "to-" + node.ToLowerInvariant(), "down");
        if (!keepDatabase)
        {
            await IpAsync("-n", Namespace(node), "route", "add", "blackhole", DatabaseAddress + "/32");
        }
    }

    /// <summary>Plugs the cable back in and lets the node reach PostgreSQL again.</summary>
    public async Task HealAsync(string node)
    {
        var routes = await IpAsync("-n", Namespace(node), "route", "show", "type", "blackhole");
        if (routes.Contains(DatabaseAddress, StringComparison.Ordinal))
        {
            await IpAsync("-n", Namespace(node), "route", "del", "blackhole", DatabaseAddress + "/32");
        }

        await IpAsync("-n", Switch, "link", "set", "dev", "to-" + node.ToLowerInvariant(), "up");
    }

    /// <summary>
    /// Makes every cluster link slow and lossy until the result is disposed: each node's namespace drops
    /// <paramref name="lossPercent"/> % of the packets that arrive on its cluster link (iptables
    /// <c>statistic --mode random</c>) and holds the rest for <paramref name="delay"/> (<c>NFQUEUE</c> to a
    /// <see cref="PacketDelayer"/>), so a round trip between two nodes takes twice the delay.
    /// </summary>
    public async Task<Shaping> ShapeAsync(TimeSpan delay, int lossPercent)
    {
        await RequireIptablesAsync();
        var namespaces = _nodes.Select(Namespace).ToList();
        var delayer = PacketDelayer.Start(namespaces, delay); // bound before any rule sends packets to its queue
        var shaping = new Shaping(delayer, namespaces);
        try
        {
            var probability = (lossPercent / 100.0).ToString("0.####", CultureInfo.InvariantCulture);
            foreach (var ns in namespaces)
            {
                await IptablesAsync(ns, "-N", ShapingChain);
                await IptablesAsync(ns, "-A", ShapingChain, "-m", "statistic", "--mode", "random", "--probability", probability, "-j", "DROP");
                await IptablesAsync(ns, "-A", ShapingChain, "-j", "NFQUEUE", "--queue-num", PacketDelayer.QueueNumber.ToString(CultureInfo.InvariantCulture));
                await IptablesAsync(ns, "-I", "INPUT", "-i", "clu", "-j", ShapingChain);
            }

            return shaping;
        }
        catch
        {
            await shaping.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="make"/> on a thread of its own inside network namespace <paramref name="ns"/>: a socket made
    /// there belongs to that namespace for good, whichever thread uses it later. The thread goes back to this
    /// process's namespace before it ends (the thread pool never sees a thread in another namespace).
    /// </summary>
    public static T InNamespace<T>(string ns, Func<T> make)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var home = File.OpenHandle("/proc/thread-self/ns/net");
                using var target = File.OpenHandle($"/var/run/netns/{ns}");
                Setns(target, $"setns into {ns}");
                try
                {
                    result = make();
                }
                finally
                {
                    Setns(home, "setns back");
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        return failure is null ? result : throw new InvalidOperationException($"Cannot make a socket in network namespace {ns}", failure);
    }

    /// <summary>
    /// How long TCP handshakes from <paramref name="from"/>'s cluster address to <paramref name="to"/>'s take (the
    /// median of <paramref name="count"/>): one round trip over the cluster links, so it shows the delay really added.
    /// </summary>
    public async Task<TimeSpan> HandshakeAsync(string from, string to, int count = 5)
    {
        using var listener = InNamespace(Namespace(to), () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        listener.Bind(new IPEndPoint(IPAddress.Parse(ClusterAddress(to)), 0));
        listener.Listen(count);
        var times = new List<TimeSpan>();
        for (var i = 0; i < count; i++)
        {
            using var client = InNamespace(Namespace(from), () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var started = Stopwatch.GetTimestamp();
            await client.ConnectAsync(listener.LocalEndPoint!, timeout.Token);
            times.Add(Stopwatch.GetElapsedTime(started));
            using var accepted = await listener.AcceptAsync(timeout.Token);
        }

        return times.Order().ElementAt(count / 2);
    }

    private static void Setns(Microsoft.Win32.SafeHandles.SafeFileHandle handle, string what)
    {
        if (setns((int)handle.DangerousGetHandle(), CloneNewnet) != 0)
        {
            throw new InvalidOperationException($"{what} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private const int CloneNewnet = 0x40000000;

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int type);

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await DeleteNamespaceAsync(Namespace(node));
        }

        await DeleteNamespaceAsync(Switch);
        try
        {
            await IpAsync("link", "del", "dev", Bridge);
        }
        catch (InvalidOperationException)
        {
            // never made, or already gone
        }
    }

    private async Task BuildAsync()
    {
        await IpAsync("link", "add", "name", Bridge, "type", "bridge");
        await IpAsync("addr", "add", ClientAddress + "/24", "dev", Bridge);
        await IpAsync("addr", "add", DatabaseAddress + "/24", "dev", Bridge);
        await IpAsync("link", "set", "dev", Bridge, "up");
        await IpAsync("netns", "add", Switch);
        await IpAsync("-n", Switch, "link", "add", "name", "cluster", "type", "bridge");
        await IpAsync("-n", Switch, "link", "set", "dev", "cluster", "up");
        foreach (var node in _nodes)
        {
            var ns = Namespace(node);
            var port = "to-" + node.ToLowerInvariant();
            await IpAsync("netns", "add", ns);
            await IpAsync("-n", ns, "link", "set", "dev", "lo", "up");

            await IpAsync("link", "add", "acc", "netns", ns, "type", "veth", "peer", "name", Bridge + node.ToLowerInvariant());
            await IpAsync("link", "set", "dev", Bridge + node.ToLowerInvariant(), "master", Bridge, "up");
            await IpAsync("-n", ns, "addr", "add", AccessAddress(node) + "/24", "dev", "acc");
            await IpAsync("-n", ns, "link", "set", "dev", "acc", "up");

            await IpAsync("link", "add", "clu", "netns", ns, "type", "veth", "peer", "name", port, "netns", Switch);
            await IpAsync("-n", Switch, "link", "set", "dev", port, "master", "cluster", "up");
            await IpAsync("-n", ns, "addr", "add", ClusterAddress(node) + "/24", "dev", "clu");
            await IpAsync("-n", ns, "link", "set", "dev", "clu", "up");
        }
    }

    private int Index(string node)
    {
        var index = _nodes.ToList().IndexOf(node);
        return index >= 0 ? index : throw new ArgumentException($"no node {node} in this network", nameof(node));
    }

    /// <summary>10.231.N with N free among this host's routes (the cluster subnet lives only inside the namespaces).</summary>
    private static async Task<string> FreeAccessSubnetAsync()
    {
        var routes = await IpAsync("-4", "route", "show", "table", "all");
        for (var n = 1 + (Environment.ProcessId % 200); n < 255; n++)
        {
            var subnet = $"10.231.{n}";
            if (!routes.Contains(subnet + ".", StringComparison.Ordinal))
            {
                return subnet;
            }
        }

        throw new InvalidOperationException("No free 10.231.N.0/24 subnet for the partition tests' access bridge.");
    }

    private static async Task DeleteNamespaceAsync(string ns)
    {
        try
        {
            // A namespace outlives its name while a process is in it: end them first (only ours ever run there).
            foreach (var pid in (await IpAsync("netns", "pids", ns)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                try
                {
                    using var process = Process.GetProcessById(int.Parse(pid, CultureInfo.InvariantCulture));
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(timeout.Token);
                }
                catch (ArgumentException)
                {
                    // already gone
                }
            }

            await IpAsync("netns", "del", ns);
        }
        catch (InvalidOperationException)
        {
            // never made, or already gone
        }
    }

    private static bool IsAlive(string pid) => Directory.Exists("/proc/" + pid);

    private static async Task RequireIptablesAsync()
    {
        try
        {
            await RunAsync(Iptables, ["--version"]);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException(
                $"The slow, lossy network needs {Iptables} (test.sh installs Debian's iptables as root: apt-get install iptables).", e);
        }
    }

    // The legacy backend: this kernel has the xt NFQUEUE target and statistic match but not nftables' queue
    // expression, which iptables-nft might translate NFQUEUE into.
    private const string Iptables = "iptables-legacy";

    private static Task<string> IptablesAsync(string ns, params string[] arguments) => RunAsync("ip", ["netns", "exec", ns, Iptables, "-w", .. arguments]);

    private static Task<string> IpAsync(params string[] arguments) => RunAsync("ip", arguments);

    private static async Task<string> RunAsync(string file, IReadOnlyList<string> arguments, string? input = null)
    {
        var startInfo = new ProcessStartInfo(file)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var commandLine = $"{file} {string.Join(' ', arguments)}";
        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start " + commandLine);
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                $"{file} is not installed: the partition tests need iproute2 (ip netns, veth, bridge) and, for the slow network, iptables.", e);
        }

        using (process)
        {
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input);
                process.StandardInput.Close();
            }

            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{commandLine} exited with {process.ExitCode}: {await stderr}");
            }

            return await stdout;
        }
    }

    [GeneratedRegex($"^{Prefix}-(?<pid>[0-9]+)-[a-z]+$")]
    private static partial Regex LeftoverName();

    [GeneratedRegex($"^{Prefix}(?<pid>[0-9]+)$")]
    private static partial Regex LeftoverBridge();

    /// <summary>A slow, lossy cluster network; disposing it removes the rules and lets every held packet go.</summary>
    public sealed class Shaping(PacketDelayer delayer, IReadOnlyList<string> namespaces) : IAsyncDisposable
    {
        /// <summary>Packets dropped and packets sent to the delayer so far, from the rules' counters (all namespaces).</summary>
        public async Task<(long Dropped, long Queued)> CountersAsync()
        {
            long dropped = 0, queued = 0;
            foreach (var ns in namespaces)
            {
                var rules = await IptablesAsync(ns, "-L", ShapingChain, "-v", "-x", "-n");
                foreach (Match match in CounterLine().Matches(rules))
                {
                    var packets = long.Parse(match.Groups["packets"].Value, CultureInfo.InvariantCulture);
                    if (match.Groups["target"].Value == "DROP")
                    {
                        dropped += packets;
                    }
                    else
                    {
                        queued += packets;
                    }
                }
            }

            return (dropped, queued);
        }

        /// <summary>Packets the delayer has let go.</summary>
        public long Delayed => delayer.Delayed;

        public async ValueTask DisposeAsync()
        {
            foreach (var ns in namespaces)
            {
                try
                {
                    await IptablesAsync(ns, "-D", "INPUT", "-i", "clu", "-j", ShapingChain);
                }
                catch (InvalidOperationException)
                {
                    // never added
                }
            }

            delayer.Dispose();
        }
    }

    [GeneratedRegex(@"^\s*(?<packets>\d+)\s+\d+\s+(?<target>DROP|NFQUEUE)\b", RegexOptions.Multiline)]
    private static partial Regex CounterLine();
}
