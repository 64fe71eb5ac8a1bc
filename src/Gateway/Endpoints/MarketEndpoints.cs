using ActorQuotes.Actors.Catalog;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActorQuotes.Gateway.Endpoints;

/// <summary>
/// One exchange at a moment: whether it trades, and its next open and close (the lunch break in Tokyo counts),
/// in the exchange's own UTC offset.
/// </summary>
public sealed record ExchangeStatusResponse(string Exchange, string TimeZone, bool IsOpen, DateTimeOffset NextOpen, DateTimeOffset NextClose)
{
    public static ExchangeStatusResponse From(ExchangeCalendar calendar, DateTimeOffset asOf) =>
        new(calendar.Code, calendar.TimeZoneId, calendar.IsOpen(asOf), calendar.NextOpen(asOf), calendar.NextClose(asOf));
}

/// <summary>Every exchange of the catalog at <see cref="AsOf"/> (<c>GET /market/status</c>).</summary>
public sealed record MarketStatusResponse(DateTimeOffset AsOf, IReadOnlyList<ExchangeStatusResponse> Exchanges)
{
    public static MarketStatusResponse At(DateTimeOffset asOf) =>
        new(asOf, ExchangeCalendar.All.Select(calendar => ExchangeStatusResponse.From(calendar, asOf)).ToArray());
}

/// <summary><c>/api/v1/market</c>: exchange status from the trading calendars, public (no token needed).</summary>
public static class MarketEndpoints
{
    public static IEndpointRouteBuilder MapMarketEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/market").WithTags("market").MapGet("/status", Status);
        return app;
    }

    // The clock comes from DI so a test host can stand the market at any moment.
    private static Ok<MarketStatusResponse> Status(TimeProvider clock) =>
        TypedResults.Ok(MarketStatusResponse.At(clock.GetUtcNow()));
}
