using System.Globalization;
using ActorQuotes.Actors.Catalog;
using ActorQuotes.Gateway.Problems;
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

/// <summary>One company with its exchange's trading hours (<c>GET /companies/{ticker_symbol}</c>).</summary>
public sealed record CompanyDetailResponse(
    int CompanyId,
    string TickerSymbol,
    string CompanyName,
    string Exchange,
    string Currency,
    double PreviousClose,
    TradingHoursResponse TradingHours)
{
    public static CompanyDetailResponse From(Company c) =>
        new(c.CompanyId, c.TickerSymbol, c.CompanyName, c.Exchange, c.Currency, c.PreviousClose, TradingHoursResponse.From(c.Calendar));
}

/// <summary>Sessions as local wall-clock times ("09:00") in the exchange's IANA time zone.</summary>
public sealed record TradingHoursResponse(string TimeZone, IReadOnlyList<TradingSessionResponse> Sessions)
{
    public static TradingHoursResponse From(ExchangeCalendar calendar) =>
        new(calendar.TimeZoneId, calendar.Sessions.Select(s => new TradingSessionResponse(Clock(s.Open), Clock(s.Close))).ToArray());

    private static string Clock(TimeOnly time) => time.ToString("HH:mm", CultureInfo.InvariantCulture);
}

public sealed record TradingSessionResponse(string Open, string Close);

/// <summary><c>/api/v1/companies</c>: the catalog, public (no token needed).</summary>
public static class CompanyEndpoints
{
    public const int MaxResults = 100;

    public static IEndpointRouteBuilder MapCompanyEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/companies").WithTags("companies");
        group.MapGet("/", Search);
        group.MapGet("/{tickerSymbol}", Get);
        return app;
    }

    // Rows keep their shape: trading hours belong to the exchange and would only repeat on every row.
    private static Ok<CompanyResponse[]> Search(string? q, CompanyCatalog catalog) =>
        TypedResults.Ok(catalog.Search(q is { Length: > 100 } ? q[..100] : q, MaxResults).Select(CompanyResponse.From).ToArray());

    private static Results<Ok<CompanyDetailResponse>, ProblemHttpResult> Get(string tickerSymbol, CompanyCatalog catalog) =>
        catalog.Find(tickerSymbol) is { } company
            ? TypedResults.Ok(CompanyDetailResponse.From(company))
            : ApiProblems.Create(StatusCodes.Status404NotFound, ApiProblems.NotFound, "Company not found.",
                "No company in the catalog has this ticker symbol.");
}
