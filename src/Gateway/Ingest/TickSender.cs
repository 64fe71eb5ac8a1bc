using ActorQuotes.Contracts.Tickers;
using Akka.Actor;

namespace ActorQuotes.Gateway.Ingest;

/// <summary>One tick's fate: <see cref="Reason"/> null means accepted with <see cref="Sequence"/>.</summary>
public readonly record struct TickOutcome(string Symbol, long Sequence, string? Reason);

/// <summary>
/// Sends a parsed batch to the tickers for the REST batch and the feed socket alike. Every tick goes to its
/// ticker as an <see cref="IngestTick"/>; the ticker alone decides whether it is accepted.
/// </summary>
public static class TickSender
{
    /// <summary>Reason of a tick whose ticker did not answer in time: it may or may not have been applied; resend it.</summary>
    public const string UnavailableReason = "unavailable";

    /// <summary>Asks every tick's ticker at once and waits for all; a ticker that does not answer in time is <c>unavailable</c>.</summary>
    public static async Task<TickOutcome[]> SendAsync(IngestTick[] ticks, IActorRef tickers, TimeSpan askTimeout, CancellationToken cancellationToken)
    {
        var asks = new Task<object>[ticks.Length];
        for (var i = 0; i < ticks.Length; i++)
        {
            asks[i] = tickers.Ask<object>(ticks[i], askTimeout, cancellationToken);
        }

        var outcomes = new TickOutcome[ticks.Length];
        for (var i = 0; i < ticks.Length; i++)
        {
            try
            {
                outcomes[i] = await asks[i] switch
                {
                    TickAccepted accepted => new TickOutcome(ticks[i].Symbol, accepted.Sequence, null),
                    TickRejected rejected => new TickOutcome(ticks[i].Symbol, 0, rejected.Reason.ToCode()),
                    var other => throw new InvalidOperationException($"Unexpected reply {other.GetType().Name} to {nameof(IngestTick)}"),
                };
            }
            catch (AskTimeoutException)
            {
                outcomes[i] = new TickOutcome(ticks[i].Symbol, 0, UnavailableReason);
            }
        }

        return outcomes;
    }
}
