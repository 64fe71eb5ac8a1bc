using System.Globalization;
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

public sealed record MeResponse(long UserId, string Username, DateTimeOffset TokenExpiresAt);

/// <summary><c>/api/v1/auth</c>: register, log in and out, who am I.</summary>
public static partial class AuthEndpoints
{
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 128;

    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/auth").WithTags("auth");
        group.MapPost("/register", Register);
        group.MapPost("/login", Login);
        // Authenticated by the handler itself: a retried logout (same Idempotency-Key) comes with a token
        // that the first attempt revoked, which the authentication handler would refuse.
        group.MapPost("/logout", Logout);
        group.MapGet("/me", Me).RequireAuthorization();
        return app;
    }

    /// <summary>
    /// Usernames are 3–32 of [a-z0-9_.-] after NFKC normalization (so full-width <c>ａｌｉｃｅ</c> is <c>alice</c>),
    /// compared without case (stored lower-case). Nothing else passes: no control, invisible or trailing
    /// newline characters (<c>"alice\n"</c> is refused, not a second account).
    /// </summary>
    public static string? NormalizeUsername(string? username)
    {
        if (username is null || username.Length > 4 * 32)
        {
            return null;
        }

        string normalized;
        try
        {
            normalized = username.Normalize(System.Text.NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            return null; // not valid UTF-16 (a lone surrogate)
        }

        return UsernamePattern().IsMatch(normalized) ? normalized.ToLowerInvariant() : null;
    }

    private static async Task<Results<Created<RegisterResponse>, ProblemHttpResult>> Register(
        RegisterRequest body,
        HttpRequest request,
        ActorQuotesRegions regions,
        PasswordHasher hasher,
        CancellationToken cancellationToken)
    {
        var (key, keyProblem) = IdempotencyKey.Read(request);
        if (keyProblem is not null)
        {
            return keyProblem;
        }

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

        try
        {
            // Check first so a taken name does not use up a user id, and so a retry finds its first answer.
            if (await regions.AskAccountOrThrow(new GetAccountCredentials(username!), cancellationToken) is AccountCredentials existing)
            {
                return await RetryOrConflict(existing, key, body.Password!, hasher, cancellationToken);
            }

            var hash = await hasher.HashAsync(body.Password!, cancellationToken);
            var userId = await regions.AllocateId(IdSequences.Users, cancellationToken);
            return await regions.WriteAccount(new RegisterAccount(username!, userId, hash, key), cancellationToken) switch
            {
                AccountView view => Created(view.UserId, view.Username),
                AccountCommandRejected { Code: AccountRejection.AlreadyExists } =>
                    // Lost a race with a concurrent request; it may have been this request's own retry.
                    await regions.AskAccountOrThrow(new GetAccountCredentials(username!), cancellationToken) is AccountCredentials winner
                        ? await RetryOrConflict(winner, key, body.Password!, hasher, cancellationToken)
                        : UsernameTaken(),
                var other => throw new InvalidOperationException($"Unexpected reply {other.GetType().Name}"),
            };
        }
        catch (HashingBusyException)
        {
            return HashingBusy(request.HttpContext.Response);
        }
    }

    private static async Task<Results<Created<RegisterResponse>, ProblemHttpResult>> RetryOrConflict(
        AccountCredentials existing, string? key, string password, PasswordHasher hasher, CancellationToken cancellationToken) =>
        key is not null && existing.RegistrationKey == key && await hasher.VerifyAsync(password, existing.PasswordHash, cancellationToken)
            ? Created(existing.UserId, existing.Username)
            : UsernameTaken();

    private static Created<RegisterResponse> Created(long userId, string username) =>
        TypedResults.Created("/api/v1/auth/me", new RegisterResponse(userId, username));

    private static async Task<Results<Ok<LoginResponse>, ProblemHttpResult>> Login(
        LoginRequest body,
        HttpResponse response,
        ActorQuotesRegions regions,
        PasswordHasher hasher,
        TokenService tokens,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var username = NormalizeUsername(body.Username);
        var password = body.Password;
        if (username is null || string.IsNullOrEmpty(password) || password.Length > MaxPasswordLength)
        {
            return InvalidCredentials();
        }

        var reply = await regions.AskAccountOrThrow(new BeginLogin(username), cancellationToken);
        if (reply is LoginLockedOut locked)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling((locked.Until - clock.GetUtcNow()).TotalSeconds));
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return ApiProblems.Create(StatusCodes.Status429TooManyRequests, ApiProblems.TooManyAttempts,
                "Too many failed logins.", $"try again in {seconds} s");
        }

        bool ok;
        try
        {
            ok = reply is AccountCredentials credentials
                ? await hasher.VerifyAsync(password, credentials.PasswordHash, cancellationToken)
                : await hasher.SpendVerificationTimeAsync(password, cancellationToken); // an unknown user costs what a wrong password costs
        }
        catch (HashingBusyException)
        {
            return HashingBusy(response); // no attempt was made: nothing to record
        }

        regions.TellAccount(new RecordLoginResult(username, ok));
        if (!ok)
        {
            return InvalidCredentials();
        }

        var account = (AccountCredentials)reply;
        var (token, expiresAt) = tokens.Issue(account.UserId, account.Username);
        return TypedResults.Ok(new LoginResponse(token, expiresAt, account.UserId));
    }

    /// <summary>
    /// Records the revocation in the store every node reads, not in the account entity, so a logout is
    /// answered while the node hosting the account is frozen (docs/architecture.md, "Logout").
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Logout(
        HttpContext context,
        TokenService tokens,
        TokenRevocations revocations,
        CancellationToken cancellationToken)
    {
        var (key, keyProblem) = IdempotencyKey.Read(context.Request);
        if (keyProblem is not null)
        {
            return keyProblem;
        }

        // Without a key this is any authenticated request. With one, a correctly signed, unexpired token is
        // enough: a retry of the logout that revoked it answers 204 again (a logout is idempotent by its token).
        TokenIdentity? identity = null;
        if (context.User.Identity?.IsAuthenticated == true)
        {
            var user = CurrentUser.From(context.User);
            identity = new TokenIdentity(user.UserId, user.Username, user.TokenId, user.TokenExpiresAt);
        }
        else if (key is not null)
        {
            var header = context.Request.Headers.Authorization.ToString();
            identity = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? tokens.Validate(header["Bearer ".Length..].Trim()) : null;
        }

        if (identity is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return ApiProblems.Unauthorized("a valid bearer token is required");
        }

        await revocations.RevokeAsync(identity.Username, identity.TokenId, identity.ExpiresAt, cancellationToken);
        return TypedResults.NoContent();
    }

    private static Ok<MeResponse> Me(HttpContext context)
    {
        var user = CurrentUser.From(context.User);
        return TypedResults.Ok(new MeResponse(user.UserId, user.Username, user.TokenExpiresAt));
    }

    /// <summary>The hashing threads and their queue are full (a sign-in flood): refused at once, nothing changed.</summary>
    private static ProblemHttpResult HashingBusy(HttpResponse response)
    {
        response.Headers.RetryAfter = "1";
        return ApiProblems.ServiceUnavailable("too many sign-ins are being checked at once; nothing was changed: try again in 1 s");
    }

    private static ProblemHttpResult UsernameTaken() =>
        ApiProblems.Create(StatusCodes.Status409Conflict, ApiProblems.Conflict, "Username is taken.");

    // One answer for both halves, so a login never tells which one was wrong.
    private static ProblemHttpResult InvalidCredentials() =>
        ApiProblems.Unauthorized("invalid username or password");

    [GeneratedRegex(@"\A[A-Za-z0-9_.-]{3,32}\z")]
    private static partial Regex UsernamePattern();
}
