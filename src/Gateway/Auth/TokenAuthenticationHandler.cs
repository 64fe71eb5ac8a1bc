using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using ActorQuotes.Gateway.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;token&gt;</c>: the signature, the expiry and the node's list of
/// logged-out tokens, all locally (no entity is asked). A failure answers 401 problem details.
/// </summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenService tokens,
    TokenRevocations revocations)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(Authenticate());

    private AuthenticateResult Authenticate()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var identity = tokens.ValidateUnrevoked(header["Bearer ".Length..].Trim(), revocations);
        if (identity is null)
        {
            return AuthenticateResult.Fail("invalid, expired or revoked token");
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, identity.UserId.ToString(CultureInfo.InvariantCulture)),
                new Claim(ClaimTypes.Name, identity.Username),
                new Claim(CurrentUser.TokenIdClaim, identity.TokenId),
                new Claim(CurrentUser.ExpiresClaim, identity.ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
            ],
            SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await ApiProblems.Unauthorized("a valid bearer token is required").ExecuteAsync(Context);
    }
}

/// <summary>The authenticated caller of a REST request.</summary>
public sealed record CurrentUser(long UserId, string Username, string TokenId, DateTimeOffset TokenExpiresAt)
{
    public const string TokenIdClaim = "jti";
    public const string ExpiresClaim = "exp";

    public static CurrentUser From(ClaimsPrincipal principal) => new(
        long.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier)!, CultureInfo.InvariantCulture),
        principal.FindFirstValue(ClaimTypes.Name)!,
        principal.FindFirstValue(TokenIdClaim)!,
        DateTimeOffset.FromUnixTimeSeconds(long.Parse(principal.FindFirstValue(ExpiresClaim)!, CultureInfo.InvariantCulture)));
}
