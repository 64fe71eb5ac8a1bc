using System.ComponentModel.DataAnnotations;

namespace ActorQuotes.Gateway.Auth;

/// <summary>Accounts and tokens (configuration section <c>Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>How long a token from login stays valid.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Base64 HMAC key (at least 32 bytes) that signs tokens. Every node of a cluster needs the same one.
    /// Unset on a single node: a key is generated once into <c>{Storage:DataDirectory}/token-signing.key</c>,
    /// so tokens survive a restart.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>
    /// How often a node reads the logouts recorded since its last read. Pub-sub brings each logout to every node
    /// at once; the poll is the backstop for a notice pub-sub did not deliver (docs/architecture.md, "Logout").
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan RevocationPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Threads that hash passwords (sign-up, login); the rest of the node keeps the other cores.</summary>
    [Range(1, 64)]
    public int HashingThreads { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Sign-ins that may wait for a hashing thread; beyond that a sign-in is answered 503 at once.</summary>
    [Range(0, 10_000)]
    public int HashingQueue { get; set; } = 32;

    /// <summary>PBKDF2-HMAC-SHA512 iterations for password hashes (OWASP: 210,000).</summary>
    [Range(100_000, 10_000_000)]
    public int PasswordIterations { get; set; } = 210_000;
}
