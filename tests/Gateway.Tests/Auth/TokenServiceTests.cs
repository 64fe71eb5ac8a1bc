using ActorQuotes.Gateway.Auth;
using ActorQuotes.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Tests.Auth;

public sealed class TokenServiceTests
{
    private readonly TokenService _tokens = new(
        Options.Create(new AuthOptions { SigningKey = Convert.ToBase64String(new byte[32]) }),
        Options.Create(new StorageOptions()),
        TimeProvider.System);

    [Fact(DisplayName = "A token is valid only as it was issued: whitespace inside, '=' padding or another spelling of the same bytes is refused")]
    public void Only_the_issued_spelling_validates()
    {
        var (token, _) = _tokens.Issue(7, "alice");
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        Assert.Equal("alice", _tokens.Validate(token)!.Username);

        string[] altered =
        [
            token[..5] + " " + token[5..],
            token[..dot] + "=." + token[(dot + 1)..],
            token + "=",
            token + "\n",
            token[..dot] + "." + " " + token[(dot + 1)..],
            // The signature's last character carries spare bits; another character with the same leading bits
            // decodes to the same bytes but is not the spelling that was issued.
            token[..^1] + SameBytes(token[^1]),
        ];

        Assert.All(altered, a => Assert.Null(_tokens.Validate(a)));
    }

    // 32 signature bytes are 43 base64url characters: the last one carries 4 bits and 2 spare ones.
    private static char SameBytes(char last)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var value = Alphabet.IndexOf(last, StringComparison.Ordinal);
        return Alphabet[value ^ 1];
    }
}
