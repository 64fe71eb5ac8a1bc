using System.Text.RegularExpressions;
using ActorQuotes.Contracts.Accounts;
using ActorQuotes.Contracts.Ids;
using ActorQuotes.Gateway.Auth;
using ActorQuotes.Gateway.Hosting;
using ActorQuotes.Gateway.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActorQuotes.Gateway.Endpoints;

public sealed record RegisterRequest(string? Username, string? Password);

public sealed record RegisterResponse(long UserId, string Username);

public sealed record LoginRequest(string? Username, string? Password);

public sealed record LoginResponse(string Token, DateTimeOffset ExpiresAt, long UserId);

/// <summary><c>/api/v1/auth</c>: register and log in.</summary>
public static partial class AuthEndpoints
{
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 128;

    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/auth").WithTags("auth");
        group.MapPost("/register", Register);
        group.MapPost("/login", Login);
        return app;
    }

    /// <summary>Usernames are 3–32 of [a-z0-9_.-], compared without case (stored lower-case).</summary>
    public static string? NormalizeUsername(string? username) =>
        username is not null && UsernamePattern().IsMatch(username) ? username.ToLowerInvariant() : null;

    private static async Task<Results<Created<RegisterResponse>, ProblemHttpResult>> Register(
        RegisterRequest body,
        ActorQuotesRegions regions,
        PasswordHasher hasher,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var username = NormalizeUsername(body.Username);
        if (username is null)
        {
            errors["username"] = ["must be 3 to 32 characters of a-z, 0-9, '_', '.', '-'"];
        }

        if (body.Password is null || body.Password.Length is < MinPasswordLength or > MaxPasswordLength)
        {
            errors["password"] = [$"must be {MinPasswordLength} to {MaxPasswordLength} characters"];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        // Check first so a taken name does not use up a user id.
        if (await regions.AskAccount(new GetAccountCredentials(username!), cancellationToken) is AccountCredentials)
        {
            return UsernameTaken();
        }

        var hash = hasher.Hash(body.Password!);
        var userId = await regions.AllocateId(IdSequences.Users, cancellationToken);
        return await regions.AskAccount(new RegisterAccount(username!, userId, hash), cancellationToken) switch
        {
            AccountView view => TypedResults.Created("/api/v1/auth/me", new RegisterResponse(view.UserId, view.Username)),
            AccountCommandRejected { Code: AccountRejection.AlreadyExists } => UsernameTaken(),
            var other => throw new InvalidOperationException($"Unexpected reply {other.GetType().Name}"),
        };
    }

    private static async Task<Results<Ok<LoginResponse>, ProblemHttpResult>> Login(
        LoginRequest body,
        ActorQuotesRegions regions,
        PasswordHasher hasher,
        TokenService tokens,
        CancellationToken cancellationToken)
    {
        var username = NormalizeUsername(body.Username);
        var password = body.Password;
        if (username is null || string.IsNullOrEmpty(password) || password.Length > MaxPasswordLength)
        {
            return InvalidCredentials();
        }

        var reply = await regions.AskAccount(new GetAccountCredentials(username), cancellationToken);
        if (reply is not AccountCredentials credentials)
        {
            hasher.SpendVerificationTime(password); // an unknown user costs what a wrong password costs
            return InvalidCredentials();
        }

        if (!hasher.Verify(password, credentials.PasswordHash))
        {
            return InvalidCredentials();
        }

        var (token, expiresAt) = tokens.Issue(credentials.UserId, credentials.Username);
        return TypedResults.Ok(new LoginResponse(token, expiresAt, credentials.UserId));
    }

    private static ProblemHttpResult UsernameTaken() =>
        ApiProblems.Create(StatusCodes.Status409Conflict, ApiProblems.Conflict, "Username is taken.");

    // One answer for both halves, so a login never tells which one was wrong.
    private static ProblemHttpResult InvalidCredentials() =>
        ApiProblems.Unauthorized("invalid username or password");

    [GeneratedRegex("^[A-Za-z0-9_.-]{3,32}$")]
    private static partial Regex UsernamePattern();
}
