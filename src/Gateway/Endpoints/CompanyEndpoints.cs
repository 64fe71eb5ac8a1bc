using ActorQuotes.Actors.Catalog;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActorQuotes.Gateway.Endpoints;

public sealed record CompanyResponse(
    int CompanyId,
    string TickerSymbol,
    string CompanyName,
    string Exchange,
    string Currency,
    double PreviousClose)
{
    public static CompanyResponse From(Company c) =>
        new(c.CompanyId, c.TickerSymbol, c.CompanyName, c.Exchange, c.Currency, c.PreviousClose);
}

/// <summary><c>/api/v1/companies</c>: the catalog, public (no token needed).</summary>
public static class CompanyEndpoints
{
    public const int MaxResults = 100;

    public static IEndpointRouteBuilder MapCompanyEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/companies").WithTags("companies").MapGet("/", Search);
        return app;
    }

    private static Ok<CompanyResponse[]> Search(string? q, CompanyCatalog catalog) =>
        TypedResults.Ok(catalog.Search(q is { Length: > 100 } ? q[..100] : q, MaxResults).Select(CompanyResponse.From).ToArray());
}
