namespace ActorQuotes.Gateway.Hosting;

/// <summary>How the gateway treats watchlists beyond single requests (configuration section <c>Watchlists</c>).</summary>
public sealed class WatchlistOptions
{
    public const string Section = "Watchlists";

    public static readonly TimeSpan DefaultAbandonCreateAfter = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How old an owner's link must be before a create that never journaled its watchlist is abandoned, when a
    /// create finds the owner at the limit. A gateway sends its create within one ask timeout of the link and
    /// waits one more for the answer, so at least twice <c>Requests:AskTimeout</c>: a create whose request is
    /// still waiting is never abandoned. docs/architecture.md, "Creates that never finished".
    /// </summary>
    public TimeSpan AbandonCreateAfter { get; set; } = DefaultAbandonCreateAfter;
}

/// <summary>Checks <see cref="WatchlistOptions"/> against the ask timeout it must outlast.</summary>
public sealed class WatchlistOptionsValidator(Microsoft.Extensions.Options.IOptions<RequestOptions> requests)
    : Microsoft.Extensions.Options.IValidateOptions<WatchlistOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, WatchlistOptions options)
    {
        var least = requests.Value.AskTimeout * 2;
        return options.AbandonCreateAfter >= least && options.AbandonCreateAfter <= TimeSpan.FromDays(1)
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Success
            : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(
                $"Watchlists:AbandonCreateAfter must be at least twice Requests:AskTimeout ({least:c}) and at most 1.00:00:00; it is {options.AbandonCreateAfter:c}.");
    }
}
