namespace ActorQuotes.Gateway.Hosting;

/// <summary>How the gateway waits on the cluster for one request (configuration section <c>Requests</c>).</summary>
public sealed class RequestOptions
{
    public const string Section = "Requests";

    /// <summary>
    /// How long an ask to an entity may take. A read that times out answers 503 <c>unavailable</c>; a write
    /// that times out answers 504 <c>outcome_unknown</c>, since the command was sent and may still be
    /// journaled. Five seconds is well past a healthy journal write and well inside a client's patience.
    /// </summary>
    public TimeSpan AskTimeout { get; set; } = ActorQuotesRegions.DefaultAskTimeout;
}
