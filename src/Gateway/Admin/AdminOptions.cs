using System.ComponentModel.DataAnnotations;
using System.Net;

namespace ActorQuotes.Gateway.Admin;

/// <summary>
/// The operator endpoint (configuration section <c>Admin</c>): its own port, loopback by default, and
/// off unless a key is configured.
/// </summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>The shared secret the <c>aq</c> tool and Prometheus present. Empty: the admin endpoint is off.</summary>
    public string? Key { get; set; }

    /// <summary>IP address to bind: 127.0.0.1 unless operators reach the node from elsewhere (0.0.0.0, ::).</summary>
    [Required]
    public string Hostname { get; set; } = "127.0.0.1";

    /// <summary>Port of the admin endpoint; 0 picks a free one (logged at start).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 8001;

    public bool Enabled => !string.IsNullOrEmpty(Key);

    public static bool IsValidHostname(string hostname) => IPAddress.TryParse(hostname, out _);
}
