using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Auth;

/// <summary>
/// PBKDF2-HMAC-SHA512 with a random 16-byte salt, stored as
/// <c>pbkdf2-sha512$iterations$salt$hash</c> so the cost can rise without breaking old hashes. Every hash runs
/// on the <see cref="HashingPool"/>; when it is full the call throws <see cref="HashingBusyException"/>.
/// </summary>
public sealed class PasswordHasher(IOptions<AuthOptions> options, HashingPool pool)
{
    private const string Scheme = "pbkdf2-sha512";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public Task<string> HashAsync(string password, CancellationToken cancellationToken) => Run(() => Hash(password), cancellationToken);

    public Task<bool> VerifyAsync(string password, string stored, CancellationToken cancellationToken) =>
        Run(() => Verify(password, stored), cancellationToken);

    /// <summary>Spends the time of one verification, so a login for an unknown user takes as long as any other.</summary>
    public Task<bool> SpendVerificationTimeAsync(string password, CancellationToken cancellationToken) =>
        Run(() =>
        {
            Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), new byte[SaltBytes],
                options.Value.PasswordIterations, HashAlgorithmName.SHA512, HashBytes);
            return false;
        }, cancellationToken);

    private Task<T> Run<T>(Func<T> work, CancellationToken cancellationToken) =>
        pool.TryRun(work, cancellationToken) ?? throw new HashingBusyException();

    private string Hash(string password)
    {
        var iterations = options.Value.PasswordIterations;
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA512, HashBytes);
        return string.Join('$', Scheme, iterations.ToString(CultureInfo.InvariantCulture),
            Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    private bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations))
        {
            return false;
        }

        var salt = Convert.FromBase64String(parts[2]);
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA512, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
