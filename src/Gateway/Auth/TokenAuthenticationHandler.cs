using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using ActorQuotes.Contracts.Accounts;
using ActorQuotes.Gateway.Hosting;
using ActorQuotes.Gateway.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;token&gt;</c>: the signature and expiry locally, then the
/// account entity for a logout (revocation is cluster-wide at once). A failure answers 401 problem details.
/// </summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenService tokens,
    ActorQuotesRegions regions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var identity = await tokens.ValidateAsync(header["Bearer ".Length..].Trim(), regions, Context.RequestAborted);
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
