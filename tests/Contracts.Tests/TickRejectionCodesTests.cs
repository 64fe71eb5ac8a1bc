using System.Text.Json;
using ActorQuotes.Contracts.Tickers;

namespace ActorQuotes.Contracts.Tests;

/// <summary>The rejection names are wire and metric contract: the ingest API, the ticks.rejected label and the admin views share them.</summary>
public sealed class TickRejectionCodesTests
{
    [Theory(DisplayName = "Each rejection has its snake_case code")]
    [InlineData(TickRejection.NotFinite, "not_finite")]
    [InlineData(TickRejection.NotPositive, "not_positive")]
    [InlineData(TickRejection.UnknownSymbol, "unknown_symbol")]
    [InlineData(TickRejection.OutOfOrder, "out_of_order")]
    [InlineData(TickRejection.OutsideBand, "outside_band")]
    [InlineData(TickRejection.FutureTimestamp, "future_timestamp")]
    public void Code(TickRejection reason, string code)
    {
        Assert.Equal(code, reason.ToCode());
    }

    [Fact(DisplayName = "Every rejection's code is its name in snake_case, and no two share one")]
    public void Every_value_is_its_snake_case_name()
    {
        var reasons = Enum.GetValues<TickRejection>();

        Assert.Equal(reasons.Select(r => JsonNamingPolicy.SnakeCaseLower.ConvertName(r.ToString())), reasons.Select(r => r.ToCode()));
        Assert.Equal(reasons.Length, reasons.Select(r => r.ToCode()).Distinct().Count());
    }

    [Fact(DisplayName = "A rejection this build does not know is named by its number")]
    public void Unknown_value()
    {
        Assert.Equal("99", ((TickRejection)99).ToCode());
    }

    [Fact(DisplayName = "Naming a rejection allocates nothing: the codes are constants")]
    public void Codes_are_constants()
    {
        Assert.Same("outside_band", TickRejection.OutsideBand.ToCode());
        Assert.Same(TickRejection.NotFinite.ToCode(), TickRejection.NotFinite.ToCode());
    }
}
