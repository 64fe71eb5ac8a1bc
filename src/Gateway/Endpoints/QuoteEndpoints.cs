using ActorQuotes.Actors.Catalog;
using ActorQuotes.Contracts.Tickers;
using ActorQuotes.Gateway.Hosting;
using ActorQuotes.Gateway.Problems;
using Akka.Actor;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActorQuotes.Gateway.Endpoints;

public sealed record QuoteResponse(
    string TickerSymbol,
    double Price,
    double PreviousClose,
    double Change,
    double ChangePercent,
    double Open,
    double DayHigh,
    double DayLow,
    long Volume,
    DateTimeOffset Timestamp,
    long Sequence)
{
    public static QuoteResponse From(Quote q) => new(
        q.Symbol,
        q.Price,
        q.PreviousClose,
        q.Change,
        q.ChangePercent,
        q.Open,
        q.DayHigh,
        q.DayLow,
        q.Volume,
        q.Timestamp,
        q.Sequence);
}

public sealed record QuotesResponse(IReadOnlyList<QuoteResponse> Quotes, IReadOnlyList<string> NotFound);

/// <summary><c>/api/v1/quotes</c>: the latest quote of one or several symbols, from their tickers. Needs a token.</summary>
public static class QuoteEndpoints
{
    public const int MaxSymbols = 100;

    public static IEndpointRouteBuilder MapQuoteEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/quotes").WithTags("quotes").RequireAuthorization();
        group.MapGet("/{tickerSymbol}", GetOne);
        group.MapGet("/", GetMany);
        return app;
    }

    private static async Task<Results<Ok<QuoteResponse>, ProblemHttpResult>> GetOne(
        string tickerSymbol,
        CompanyCatalog catalog,
        ActorQuotesRegions regions,
        CancellationToken cancellationToken)
    {
        if (catalog.Find(tickerSymbol) is not { } company)
        {
            return ApiProblems.Create(StatusCodes.Status404NotFound, ApiProblems.NotFound, "Unknown ticker symbol.");
        }

        return TypedResults.Ok(QuoteResponse.From(await Ask(regions, company.TickerSymbol, cancellationToken)));
    }

    private static async Task<Results<Ok<QuotesResponse>, ProblemHttpResult>> GetMany(
        string? symbols,
        CompanyCatalog catalog,
        ActorQuotesRegions regions,
        CancellationToken cancellationToken)
    {
        var requested = (symbols ?? string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToArray();
        if (requested.Length is 0 or > MaxSymbols)
        {
            return ApiProblems.Validation("symbols", $"give 1 to {MaxSymbols} comma-separated ticker symbols");
        }

        var known = requested.Select(s => catalog.Find(s)).OfType<Company>().ToArray();
        var notFound = requested.Where(s => catalog.Find(s) is null).Select(s => s.Length > 20 ? s[..20] : s).ToArray();
        var quotes = await Task.WhenAll(known.Select(c => Ask(regions, c.TickerSymbol, cancellationToken)));
        return TypedResults.Ok(new QuotesResponse(quotes.Select(QuoteResponse.From).ToArray(), notFound));
    }

    private static Task<Quote> Ask(ActorQuotesRegions regions, string symbol, CancellationToken cancellationToken) =>
        regions.Tickers.Ask<Quote>(new GetQuote(symbol), regions.AskTimeout, cancellationToken);
}
