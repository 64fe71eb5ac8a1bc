using System.Net.Sockets;
using System.Reflection;

namespace ActorQuotes.Gateway.Hosting;

/// <summary>
/// Where the runtime continues a socket operation that completes later: on the socket engine's own threads
/// ("inline"), or queued to the .NET thread pool (the runtime's default). ActorQuotes runs them inline by
/// default: a completion queued to the pool waits behind the pool's other work, and on a loaded node that
/// wait shows in the tail latency (W1's p99-bounded saturation rose 1.6–2.6 × with it in four runs;
/// docs/decisions/0008-inline-socket-completions.md).
/// <para>
/// What then runs on an engine thread is only code that awaits a socket itself: Kestrel's transport loops
/// (the bytes into and out of its pipes), Npgsql's reads and Akka.Remote's socket callbacks. Kestrel still
/// hands requests and WebSocket reads to the thread pool (its <c>UnsafePreferInlineScheduling</c> stays off),
/// so endpoint code, password hashing included, never runs there and cannot stall the sockets.
/// </para>
/// </summary>
public static class SocketCompletions
{
    /// <summary>The runtime's switch: <c>1</c> inline; anything else, the thread pool.</summary>
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Turns inline completions on unless the operator set <see cref="Variable"/> (to <c>0</c> to keep the
    /// runtime's default). Call it first thing in <c>Main</c>: the runtime reads the variable once, when the
    /// process opens its first socket.
    /// </summary>
    public static void PreferInline()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }

    /// <summary>
    /// What the runtime's socket engine actually does, read from it (it has no public API for this);
    /// null on a runtime that does not have the field, so a change there shows as "unknown", not as a lie.
    /// </summary>
    public static bool? Inline =>
        typeof(Socket).Assembly.GetType("System.Net.Sockets.SocketAsyncEngine")
            ?.GetField("InlineSocketCompletionsEnabled", BindingFlags.Static | BindingFlags.NonPublic)
            ?.GetValue(null) as bool?;

    public static string Describe() => Inline switch
    {
        true => "inline on the socket engine's threads",
        false => "queued to the thread pool",
        null => "unknown on this runtime",
    };
}
