using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ActorQuotes.Gateway.Endpoints;
using ActorQuotes.Gateway.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Tests;

public sealed class CompanyAndMarketTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string CsvHeader = "company_id,ticker_symbol,company_name,exchange,currency,previous_close";

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private HttpClient Http => fixture.Host.Http;

    private static DateTimeOffset Time(JsonNode? node) =>
        DateTimeOffset.Parse(node!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    [Fact(DisplayName = "GET /companies/7203 answers Toyota with the Tokyo sessions and the lunch break")]
    public async Task Company_by_ticker()
    {
        var response = await Http.GetAsync("/api/v1/companies/7203");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(
            """{"company_id":1,"ticker_symbol":"7203","company_name":"トヨタ自動車株式会社","exchange":"TSE","currency":"JPY","previous_close":2600"""
            + ""","trading_hours":{"time_zone":"Asia/Tokyo","sessions":[{"open":"09:00","close":"11:30"},{"open":"12:30","close":"15:30"}]}}""",
            (await response.ReadJson()).ToJsonString(Compact));
    }

    [Fact(DisplayName = "Tickers are found without case: /companies/aapl is Apple with New York hours")]
    public async Task Company_lookup_ignores_case()
    {
        var response = await Http.GetAsync("/api/v1/companies/aapl");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            """{"company_id":31,"ticker_symbol":"AAPL","company_name":"Apple Inc.","exchange":"NASDAQ","currency":"USD","previous_close":270"""
            + ""","trading_hours":{"time_zone":"America/New_York","sessions":[{"open":"09:30","close":"16:00"}]}}""",
            (await response.ReadJson()).ToJsonString(Compact));
    }

    [Fact(DisplayName = "An unknown ticker is 404 not_found problem details")]
    public async Task Unknown_ticker_is_404()
    {
        var response = await Http.GetAsync("/api/v1/companies/NOPE123");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.ReadJson();
        Assert.Equal("not_found", problem["code"]!.GetValue<string>());
        Assert.Equal("urn:actorquotes:problem:not_found", problem["type"]!.GetValue<string>());
        Assert.Equal("Company not found.", problem["title"]!.GetValue<string>());
        Assert.Equal(404, problem["status"]!.GetValue<int>());
    }

    [Fact(DisplayName = "Market status lists TSE, NYSE and NASDAQ, each with next open and close in the future and in the right order")]
    public async Task Market_status_is_consistent()
    {
        var before = DateTimeOffset.UtcNow;
        var response = await Http.GetAsync("/api/v1/market/status");
        var after = DateTimeOffset.UtcNow;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJson();
        var asOf = Time(body["as_of"]);
        Assert.InRange(asOf, before, after);
        var exchanges = body["exchanges"]!.AsArray();
        Assert.Equal(["TSE", "NYSE", "NASDAQ"], exchanges.Select(e => e!["exchange"]!.GetValue<string>()));
        Assert.Equal(["Asia/Tokyo", "America/New_York", "America/New_York"], exchanges.Select(e => e!["time_zone"]!.GetValue<string>()));
        foreach (var exchange in exchanges)
        {
            var isOpen = exchange!["is_open"]!.GetValue<bool>();
            var nextOpen = Time(exchange["next_open"]);
            var nextClose = Time(exchange["next_close"]);
            Assert.True(nextOpen > asOf, $"{exchange["exchange"]} next_open {nextOpen:o} is not after as_of {asOf:o}");
            Assert.True(nextClose > asOf, $"{exchange["exchange"]} next_close {nextClose:o} is not after as_of {asOf:o}");
            Assert.Equal(isOpen, nextClose < nextOpen);
            Assert.True(nextOpen - asOf <= TimeSpan.FromDays(4), "a weekday session is never more than a weekend away");
        }

        Assert.Equal(exchanges[1]!.ToJsonString().Replace("NYSE", "NASDAQ", StringComparison.Ordinal), exchanges[2]!.ToJsonString());
        Assert.Equal(TimeSpan.FromHours(9), Time(exchanges[0]!["next_open"]).Offset);
    }

    [Fact(DisplayName = "Market status during the Tokyo lunch break, as the endpoint writes it: Tokyo reopens at 12:30, New York opens at 9:30 EST")]
    public void Market_status_at_a_fixed_moment()
    {
        var json = fixture.Host.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;

        var status = MarketStatusResponse.At(new DateTimeOffset(2026, 3, 4, 3, 0, 0, TimeSpan.Zero)); // Wed 12:00 JST, Tue 22:00 EST

        Assert.Equal(
            """{"as_of":"2026-03-04T03:00:00+00:00","exchanges":["""
            + """{"exchange":"TSE","time_zone":"Asia/Tokyo","is_open":false,"next_open":"2026-03-04T12:30:00+09:00","next_close":"2026-03-04T15:30:00+09:00"},"""
            + """{"exchange":"NYSE","time_zone":"America/New_York","is_open":false,"next_open":"2026-03-04T09:30:00-05:00","next_close":"2026-03-04T16:00:00-05:00"},"""
            + """{"exchange":"NASDAQ","time_zone":"America/New_York","is_open":false,"next_open":"2026-03-04T09:30:00-05:00","next_close":"2026-03-04T16:00:00-05:00"}]}""",
            JsonSerializer.Serialize(status, json));
    }

    [Fact(DisplayName = "A gateway started with Catalog:ImportFiles serves the file's good company and not its bad row")]
    public async Task Import_at_start()
    {
        var path = Path.Combine(Path.GetTempPath(), "aq-import-" + Guid.NewGuid().ToString("N") + ".csv");
        await File.WriteAllTextAsync(path,
            CsvHeader + "\n"
            + "51,4661,株式会社オリエンタルランド,TSE,JPY,3100\n"
            + "52,BADX,\"Bad Exchange, Inc.\",LSE,USD,10\n",
            new UTF8Encoding(false), TestContext.Current.CancellationToken);
        try
        {
            await using var host = await GatewayHost.StartAsync(null, "--Catalog:ImportFiles:0=" + path);

            var added = await host.Http.GetAsync("/api/v1/companies/4661");
            var bad = await host.Http.GetAsync("/api/v1/companies/BADX");
            var search = (await (await host.Http.GetAsync("/api/v1/companies?q=" + Uri.EscapeDataString("オリエンタル"))).ReadJson()).AsArray();

            Assert.Equal(HttpStatusCode.OK, added.StatusCode);
            Assert.Equal(
                """{"company_id":51,"ticker_symbol":"4661","company_name":"株式会社オリエンタルランド","exchange":"TSE","currency":"JPY","previous_close":3100"""
                + ""","trading_hours":{"time_zone":"Asia/Tokyo","sessions":[{"open":"09:00","close":"11:30"},{"open":"12:30","close":"15:30"}]}}""",
                (await added.ReadJson()).ToJsonString(Compact));
            Assert.Equal(HttpStatusCode.NotFound, bad.StatusCode);
            Assert.Equal("not_found", (await bad.ReadJson())["code"]!.GetValue<string>());
            Assert.Equal(["4661"], search.Select(c => c!["ticker_symbol"]!.GetValue<string>()));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact(DisplayName = "A missing import file stops the start with a message naming Catalog:ImportFiles and the path")]
    public async Task Missing_import_file_stops_the_start()
    {
        var path = Path.Combine(Path.GetTempPath(), "aq-missing-" + Guid.NewGuid().ToString("N") + ".csv");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHost.StartAsync(null, "--Catalog:ImportFiles:0=" + path));

        Assert.Contains($"Catalog:ImportFiles:0: the file {path} does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact(DisplayName = "Loading the catalog logs a warning per bad row and per conflict, then how many companies were added")]
    public void Load_catalog_logs()
    {
        var path = Path.Combine(Path.GetTempPath(), "aq-log-" + Guid.NewGuid().ToString("N") + ".csv");
        File.WriteAllText(path,
            CsvHeader + "\n"
            + "51,4661,株式会社オリエンタルランド,TSE,JPY,3100\n"
            + "52,XX,Bad Close,NYSE,USD,0\n"
            + "53,7203,Toyota Again,TSE,JPY,1\n",
            new UTF8Encoding(false));
        var logger = new ListLogger();
        try
        {
            var catalog = CatalogOptions.LoadCatalog(new CatalogOptions { ImportFiles = [path] }, logger);

            Assert.Equal(51, catalog.All.Count);
            Assert.Equal("株式会社オリエンタルランド", catalog.Find("4661")!.CompanyName);
            Assert.Equal(
                [
                    (LogLevel.Warning, $"{path}:3: previous_close must be a finite number greater than 0, got '0'"),
                    (LogLevel.Warning, $"{path}: 7203 (company_id 53) not added: ticker_symbol 7203 already belongs to company_id 1 トヨタ自動車株式会社"),
                    (LogLevel.Information, $"{path}: imported 1 of 3 rows (1 bad, 1 conflicting); the catalog holds 51 companies"),
                ],
                logger.Entries);
        }
        finally
        {
            File.Delete(path);
        }

        var missing = Assert.Throws<InvalidOperationException>(() => CatalogOptions.LoadCatalog(new CatalogOptions { ImportFiles = [path] }, logger));
        Assert.StartsWith($"Catalog:ImportFiles:0: the file {path} does not exist", missing.Message, StringComparison.Ordinal);
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
