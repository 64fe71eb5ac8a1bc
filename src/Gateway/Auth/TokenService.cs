using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using ActorQuotes.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Auth;

/// <summary>Who a valid token belongs to.</summary>
public sealed record TokenIdentity(long UserId, string Username, string TokenId, DateTimeOffset ExpiresAt);

/// <summary>
/// Issues and checks bearer tokens: <c>base64url(payload).base64url(HMAC-SHA256(payload))</c>. Checking
/// needs no database or actor round trip, and tokens stay valid across restarts because the key does.
/// </summary>
public sealed class TokenService
{
    private readonly byte[] _key;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _lifetime;

    public TokenService(IOptions<AuthOptions> auth, IOptions<StorageOptions> storage, TimeProvider clock)
    {
        _key = LoadKey(auth.Value, storage.Value);
        _clock = clock;
        _lifetime = auth.Value.TokenLifetime;
    }

    public (string Token, DateTimeOffset ExpiresAt) Issue(long userId, string username)
    {
        var expiresAt = _clock.GetUtcNow().Add(_lifetime);
        var payload = JsonSerializer.SerializeToUtf8Bytes(new TokenPayload(
            userId,
            username,
            expiresAt.ToUnixTimeSeconds(),
            Convert.ToHexString(RandomNumberGenerator.GetBytes(16))));
        var signature = HMACSHA256.HashData(_key, payload);
        return (Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(signature),
            DateTimeOffset.FromUnixTimeSeconds(expiresAt.ToUnixTimeSeconds()));
    }

    /// <summary>The identity of a well-formed, correctly signed, unexpired token; otherwise null.</summary>
    public TokenIdentity? Validate(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 1024)
        {
            return null;
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == token.Length - 1)
        {
            return null;
        }

        try
        {
            // One spelling per token: base64url without padding, whitespace or spare bits, as Issue writes it.
            var payload = Base64Url.DecodeFromChars(token.AsSpan(0, dot));
            var signature = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
            if (!Base64Url.EncodeToString(payload).AsSpan().SequenceEqual(token.AsSpan(0, dot))
                || !Base64Url.EncodeToString(signature).AsSpan().SequenceEqual(token.AsSpan(dot + 1)))
            {
                return null;
            }

            if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_key, payload), signature))
            {
                return null;
            }

            var claims = JsonSerializer.Deserialize<TokenPayload>(payload);
            if (claims is null || string.IsNullOrEmpty(claims.Usr))
            {
                return null;
            }

            var expiresAt = DateTimeOffset.FromUnixTimeSeconds(claims.Exp);
            return expiresAt <= _clock.GetUtcNow() || string.IsNullOrEmpty(claims.Jti)
                ? null
                : new TokenIdentity(claims.Uid, claims.Usr, claims.Jti, expiresAt);
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// <see cref="Validate"/>, then this node's list of logged-out tokens (no remote hop). Null for a bad, expired
    /// or revoked token; throws <see cref="Problems.ServiceUnavailableException"/> while the node has not loaded
    /// that list yet.
    /// </summary>
    public TokenIdentity? ValidateUnrevoked(string? token, TokenRevocations revocations) =>
        Validate(token) is { } identity && !revocations.IsRevoked(identity.TokenId) ? identity : null;

    private static byte[] LoadKey(AuthOptions auth, StorageOptions storage)
    {
        if (!string.IsNullOrEmpty(auth.SigningKey))
        {
            var key = Convert.FromBase64String(auth.SigningKey);
            return key.Length >= 32
                ? key
                : throw new OptionsValidationException(AuthOptions.Section, typeof(AuthOptions),
                    ["Auth:SigningKey must be base64 of at least 32 bytes."]);
        }

        var path = Path.Combine(storage.FullDataDirectory, "token-signing.key");
        if (File.Exists(path))
        {
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }

        Directory.CreateDirectory(storage.FullDataDirectory);
        var generated = RandomNumberGenerator.GetBytes(32);
        var temp = path + ".tmp";
        File.WriteAllText(temp, Convert.ToBase64String(generated));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temp, path, overwrite: false);
        return generated;
    }

    private sealed record TokenPayload(long Uid, string Usr, long Exp, string Jti);
}
