using System.Net;

namespace ActorQuotes.Gateway.Tests;

public sealed class QuoteTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private HttpClient Http => fixture.Host.Http;

    [Fact(DisplayName = "GET /quotes/{symbol} answers the ticker's latest quote with day fields and sequence")]
    public async Task One_quote()
    {
        var (token, _) = await Http.RegisterAndLogin(GatewayFixture.NewUsername("q"));

        var response = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/quotes/7203", token));
        var quote = await response.ReadJson();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            ["ticker_symbol", "price", "previous_close", "change", "change_percent", "open", "day_high", "day_low", "volume", "timestamp", "sequence"],
            quote.AsObject().Select(p => p.Key));
        Assert.Equal("7203", quote["ticker_symbol"]!.GetValue<string>());
        var price = quote["price"]!.GetValue<double>();
        var previous = quote["previous_close"]!.GetValue<double>();
        Assert.Equal(Math.Round(price - previous, 6, MidpointRounding.AwayFromZero), quote["change"]!.GetValue<double>());
        Assert.True(quote["sequence"]!.GetValue<long>() >= 0);
    }

    [Fact(DisplayName = "GET /quotes?symbols= answers the known symbols, names the unknown ones, and refuses an empty or oversized list")]
    public async Task Several_quotes()
    {
        var (token, _) = await Http.RegisterAndLogin(GatewayFixture.NewUsername("qs"));

        var many = await (await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/quotes?symbols=7203,aapl,NOPE,7203", token))).ReadJson();
        var empty = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/quotes?symbols=", token));
        var tooMany = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get,
            "/api/v1/quotes?symbols=" + string.Join(',', Enumerable.Range(0, 101).Select(i => "S" + i)), token));
        var unknown = await Http.SendAsync(ApiClient.Authorized(HttpMethod.Get, "/api/v1/quotes/NOPE", token));
        var anonymous = await Http.GetAsync("/api/v1/quotes/7203");

        Assert.Equal(["7203", "AAPL"], many["quotes"]!.AsArray().Select(q => q!["ticker_symbol"]!.GetValue<string>()));
        Assert.Equal(["NOPE"], many["not_found"]!.AsArray().Select(q => q!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
