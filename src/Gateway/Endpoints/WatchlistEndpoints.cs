using ActorQuotes.Actors.Catalog;
using ActorQuotes.Actors.Watchlists;
using ActorQuotes.Contracts.Accounts;
using ActorQuotes.Contracts.Ids;
using ActorQuotes.Contracts.Watchlists;
using ActorQuotes.Gateway.Auth;
using ActorQuotes.Gateway.Hosting;
using ActorQuotes.Gateway.Problems;
using Akka.Actor;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActorQuotes.Gateway.Endpoints;

public sealed record CreateWatchlistRequest(string? Name);

public sealed record PositionRequest(double? Quantity, double? PurchasePrice);

public sealed record StockResponse(int CompanyId, string TickerSymbol, string CompanyName, double Quantity, double PurchasePrice);

public sealed record WatchlistResponse(long WatchlistId, string Name, IReadOnlyList<StockResponse> Stocks)
{
    public static WatchlistResponse From(WatchlistView view, CompanyCatalog catalog) => new(
        view.WatchlistId,
        view.Name,
        view.Stocks
            .Select(p => (Position: p, Company: catalog.Find(p.TickerSymbol)))
            .Where(x => x.Company is not null)
            .Select(x => new StockResponse(x.Company!.CompanyId, x.Company.TickerSymbol, x.Company.CompanyName,
                x.Position.Quantity, x.Position.PurchasePrice))
            .ToArray());
}

/// <summary><c>/api/v1/watchlists</c>: the caller's own watchlists and their positions.</summary>
public static class WatchlistEndpoints
{
    public static IEndpointRouteBuilder MapWatchlistEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/watchlists").WithTags("watchlists").RequireAuthorization();
        group.MapPost("/", Create);
        group.MapGet("/", List);
        group.MapGet("/{id:long}", Get);
        group.MapPatch("/{id:long}", Rename);
        group.MapDelete("/{id:long}", Delete);
        group.MapGet("/{id:long}/history", WatchlistHistory.Get);
        group.MapPut("/{id:long}/stocks/{tickerSymbol}", PutStock);
        group.MapDelete("/{id:long}/stocks/{tickerSymbol}", DeleteStock);
        return app;
    }

    private static async Task<Results<Created<WatchlistResponse>, ProblemHttpResult>> Create(
        CreateWatchlistRequest body,
        HttpContext context,
        ActorQuotesRegions regions,
        CompanyCatalog catalog,
        Microsoft.Extensions.Options.IOptions<WatchlistOptions> options,
        CancellationToken cancellationToken)
    {
        var (key, keyProblem) = IdempotencyKey.Read(context.Request);
        if (keyProblem is not null)
        {
            return keyProblem;
        }

        if (WatchlistLimits.ValidateName(body.Name) is { } error)
        {
            return ApiProblems.Validation("name", error);
        }

        var user = CurrentUser.From(context.User);
        var newId = await regions.AllocateId(IdSequences.Watchlists, cancellationToken);

        // The owner records the id first: a watchlist its owner cannot list never exists. If the create
        // below fails, the listing skips the id it cannot find. A retried Idempotency-Key gets its first id.
        var linked = await regions.WriteAccount(new LinkWatchlist(user.Username, newId, key), cancellationToken);
        if (linked is AccountCommandRejected { Code: AccountRejection.LimitReached }
            && await UnfinishedCreates.ReleaseAsync(regions, user, options.Value.AbandonCreateAfter, cancellationToken) > 0)
        {
            // Links to watchlists that never existed were let go, so the limit counts real ones: try once more.
            linked = await regions.WriteAccount(new LinkWatchlist(user.Username, newId, key), cancellationToken);
        }

        if (linked is not WatchlistLinkResult link)
        {
            return linked is AccountCommandRejected { Code: AccountRejection.LimitReached } limit
                ? ApiProblems.Create(StatusCodes.Status409Conflict, ApiProblems.LimitReached, "Too many watchlists.", limit.Reason)
                : ApiProblems.Unauthorized("the account of this token no longer exists");
        }

        // A create that timed out or whose journal write failed (504) may have happened: its link stays, so a
        // retry with the same key finds the same id. Only a refusal (503, nothing changed) takes the link back.
        var created = await regions.WriteWatchlist(new CreateWatchlist(link.WatchlistId, user.UserId, body.Name!), cancellationToken);
        if (created is WatchlistCommandRejected { Code: WatchlistRejection.Unavailable })
        {
            await Compensate(regions, user.Username, link);
        }
        else if (created is WatchlistCommandRejected { Code: WatchlistRejection.Abandoned })
        {
            // A limit check tombstoned this id while its create was in flight, and may have stopped before the
            // unlink: the tombstone makes the unlink safe, and takes the key with it so a retry gets a new id.
            await UnfinishedCreates.ReleaseAbandonedAsync(regions, user, link.WatchlistId);
        }

        return created switch
        {
            WatchlistView view => TypedResults.Created($"/api/v1/watchlists/{view.WatchlistId}", WatchlistResponse.From(view, catalog)),
            WatchlistCommandRejected { Code: WatchlistRejection.AlreadyExists } when link.Retried => ApiProblems.KeyReused(),
            WatchlistCommandRejected r => FromRejection(r),
            var other => throw new InvalidOperationException($"Unexpected reply {other.GetType().Name}"),
        };
    }

    /// <summary>
    /// Best effort: a create that failed takes its fresh link back, so the id does not count against the
    /// owner's limit. If the journal is down this fails too; the listing skips the id either way.
    /// </summary>
    private static async Task Compensate(ActorQuotesRegions regions, string username, WatchlistLinkResult link)
    {
        if (link.Retried)
        {
            return; // the link belongs to the first request, which may still be creating it
        }

        try
        {
            await regions.WriteAccount(new UnlinkWatchlist(username, link.WatchlistId), CancellationToken.None);
        }
        catch (Exception e) when (e is OutcomeUnknownException or ServiceUnavailableException)
        {
            // nothing more to do; see above
        }
    }

    private static async Task<Results<Ok<WatchlistResponse>, ProblemHttpResult>> Rename(
        long id,
        CreateWatchlistRequest body,
        HttpContext context,
        ActorQuotesRegions regions,
        CompanyCatalog catalog,
        CancellationToken cancellationToken)
    {
        var (key, keyProblem) = IdempotencyKey.Read(context.Request);
        if (keyProblem is not null)
        {
            return keyProblem;
        }

        if (WatchlistLimits.ValidateName(body.Name) is { } error)
        {
            return ApiProblems.Validation("name", error);
        }

        var user = CurrentUser.From(context.User);
        var command = new RenameWatchlist(id, user.UserId, body.Name!) { IdempotencyKey = key };
        return ToResult(await regions.WriteWatchlist(command, cancellationToken), catalog);
    }

    private static async Task<Results<Ok<WatchlistResponse[]>, ProblemHttpResult>> List(
        HttpContext context,
        ActorQuotesRegions regions,
        CompanyCatalog catalog,
        CancellationToken cancellationToken)
    {
        var user = CurrentUser.From(context.User);
        if (await regions.AskAccountOrThrow(new GetAccountWatchlists(user.Username), cancellationToken) is not AccountWatchlists owned)
        {
            return ApiProblems.Unauthorized("the account of this token no longer exists");
        }

        var replies = await Task.WhenAll(owned.WatchlistIds.Select(id =>
            regions.AskWatchlist(new GetWatchlist(id, user.UserId), cancellationToken)));
        if (replies.OfType<WatchlistCommandRejected>().FirstOrDefault(r => r.Code == WatchlistRejection.Unavailable) is { } unavailable)
        {
            return FromRejection(unavailable); // a partial list would look like lost watchlists
        }

        return TypedResults.Ok(replies
            .OfType<WatchlistView>()
            .OrderBy(v => v.WatchlistId)
            .Select(v => WatchlistResponse.From(v, catalog))
            .ToArray());
    }

    private static async Task<Results<Ok<WatchlistResponse>, ProblemHttpResult>> Get(
        long id,
        HttpContext context,
        ActorQuotesRegions regions,
        CompanyCatalog catalog,
        CancellationToken cancellationToken)
    {
        var user = CurrentUser.From(context.User);
        return ToResult(await regions.AskWatchlist(new GetWatchlist(id, user.UserId), cancellationToken), catalog);
    }

    private static async Task<Results<Ok<WatchlistResponse>, ProblemHttpResult>> PutStock(
        long id,
        string tickerSymbol,
        PositionRequest body,
        HttpContext context,
        ActorQuotesRegions regions,
        CompanyCatalog catalog,
        CancellationToken cancellationToken)
    {
        var (key, keyProblem) = IdempotencyKey.Read(context.Request);
        if (keyProblem is not null)
        {
            return keyProblem;
        }

        var errors = new Dictionary<string, string[]>();
        var company = catalog.Find(tickerSymbol);
        if (company is null)
        {
            errors["ticker_symbol"] = [$"'{Truncate(tickerSymbol)}' is not in the catalog"];
        }

        if (body.Quantity is not { } quantity)
        {
            errors["quantity"] = ["is required"];
        }
        else if (WatchlistLimits.ValidateQuantity(quantity) is { } q)
        {
            errors["quantity"] = [q];
        }

        if (body.PurchasePrice is not { } price)
        {
            errors["purchase_price"] = ["is required"];
        }
        else if (WatchlistLimits.ValidatePurchasePrice(price) is { } p)
        {
            errors["purchase_price"] = [p];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var user = CurrentUser.From(context.User);
        var command = new UpsertPosition(id, user.UserId, company!.TickerSymbol, body.Quantity!.Value, body.PurchasePrice!.Value)
        {
            IdempotencyKey = key,
        };
        return ToResult(await regions.WriteWatchlist(command, cancellationToken), catalog);
    }

    private static async Task<Results<Ok<WatchlistResponse>, ProblemHttpResult>> DeleteStock(
        long id,
        string tickerSymbol,
        HttpContext context,
        ActorQuotesRegions regions,
        CompanyCatalog catalog,
        CancellationToken cancellationToken)
    {
        var (key, keyProblem) = IdempotencyKey.Read(context.Request);
        if (keyProblem is not null)
        {
            return keyProblem;
        }

        var user = CurrentUser.From(context.User);
        var symbol = catalog.Find(tickerSymbol)?.TickerSymbol ?? tickerSymbol;
        var command = new RemovePosition(id, user.UserId, symbol) { IdempotencyKey = key };
        return ToResult(await regions.WriteWatchlist(command, cancellationToken), catalog);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        long id,
        HttpContext context,
        ActorQuotesRegions regions,
        CancellationToken cancellationToken)
    {
        var (key, keyProblem) = IdempotencyKey.Read(context.Request);
        if (keyProblem is not null)
        {
            return keyProblem;
        }

        var user = CurrentUser.From(context.User);
        var reply = await regions.WriteWatchlist(new DeleteWatchlist(id, user.UserId) { IdempotencyKey = key }, cancellationToken);
        if (reply is WatchlistCommandRejected rejected)
        {
            return FromRejection(rejected);
        }

        // A retried delete (same key) unlinks again, which finishes a first attempt that stopped after the delete.
        await regions.WriteAccount(new UnlinkWatchlist(user.Username, id), cancellationToken);
        return TypedResults.NoContent();
    }

    private static Results<Ok<WatchlistResponse>, ProblemHttpResult> ToResult(object reply, CompanyCatalog catalog) => reply switch
    {
        WatchlistView view => TypedResults.Ok(WatchlistResponse.From(view, catalog)),
        WatchlistCommandRejected rejected => FromRejection(rejected),
        _ => throw new InvalidOperationException($"Unexpected reply {reply.GetType().Name}"),
    };

    internal static ProblemHttpResult FromRejection(WatchlistCommandRejected rejected) => rejected.Code switch
    {
        WatchlistRejection.NotFound => ApiProblems.WatchlistNotFound(),
        WatchlistRejection.StockNotFound => ApiProblems.Create(StatusCodes.Status404NotFound, ApiProblems.NotFound, "Stock not in watchlist.", rejected.Reason),
        WatchlistRejection.Invalid => ApiProblems.Create(StatusCodes.Status400BadRequest, ApiProblems.ValidationFailed, "The request is not valid.", rejected.Reason),
        WatchlistRejection.LimitReached => ApiProblems.Create(StatusCodes.Status409Conflict, ApiProblems.LimitReached, "Limit reached.", rejected.Reason),
        WatchlistRejection.AlreadyExists => ApiProblems.Create(StatusCodes.Status409Conflict, ApiProblems.Conflict, "Conflict.", rejected.Reason),
        WatchlistRejection.Unavailable => ApiProblems.ServiceUnavailable(rejected.Reason),
        WatchlistRejection.OutcomeUnknown => ApiProblems.OutcomeUnknown(rejected.Reason + "; retry with the same Idempotency-Key"),
        WatchlistRejection.IdempotencyKeyReused => ApiProblems.KeyReused(),
        WatchlistRejection.Abandoned => ApiProblems.ServiceUnavailable(rejected.Reason),
        _ => ApiProblems.Create(StatusCodes.Status400BadRequest, ApiProblems.BadRequest, "Rejected.", rejected.Reason),
    };

    private static string Truncate(string s) => s.Length > 20 ? s[..20] + "…" : s;
}
