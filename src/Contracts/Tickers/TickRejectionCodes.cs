using System.Text.Json;

namespace ActorQuotes.Contracts.Tickers;

/// <summary>
/// The one snake_case name of each <see cref="TickRejection"/>, as the ingest API's reasons, the
/// <c>ticks.rejected</c> metric's <c>reason</c> label and the admin views spell it. Constant strings: naming a
/// rejection allocates nothing.
/// </summary>
public static class TickRejectionCodes
{
    /// <summary><see cref="TickRejection.OutsideBand"/> → <c>outside_band</c>.</summary>
    public static string ToCode(this TickRejection reason) => reason switch
    {
        TickRejection.NotFinite => "not_finite",
        TickRejection.NotPositive => "not_positive",
        TickRejection.UnknownSymbol => "unknown_symbol",
        TickRejection.OutOfOrder => "out_of_order",
        TickRejection.OutsideBand => "outside_band",
        TickRejection.FutureTimestamp => "future_timestamp",
        // A value this build does not know (from a newer node): its number, as ToString gives it.
        _ => JsonNamingPolicy.SnakeCaseLower.ConvertName(reason.ToString()),
    };
}
