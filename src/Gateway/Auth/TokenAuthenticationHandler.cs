using System.Security.Claims;
using System.Text.Encodings.Web;
using ActorQuotes.Gateway.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Auth;

/// <summary>Authenticates <c>Authorization: Bearer &lt;token&gt;</c>; a failure answers 401 problem details.</summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenService tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var identity = tokens.Validate(header["Bearer ".Length..].Trim());
        if (identity is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("invalid or expired token"));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, identity.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Claim(ClaimTypes.Name, identity.Username),
            ],
            SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await ApiProblems.Unauthorized("a valid bearer token is required").ExecuteAsync(Context);
    }
}

/// <summary>The authenticated caller of a REST request.</summary>
public sealed record CurrentUser(long UserId, string Username)
{
    public static CurrentUser From(ClaimsPrincipal principal) => new(
        long.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier)!, System.Globalization.CultureInfo.InvariantCulture),
        principal.FindFirstValue(ClaimTypes.Name)!);
}
