using ActorQuotes.Actors.Persistence;
using ActorQuotes.Contracts;
using Akka.Actor;

namespace ActorQuotes.Gateway.Hosting;

/// <summary>
/// Pays for the journal's first recovery when the node starts, before it reports ready: one
/// <see cref="JournalProbeActor"/> recovers through the same journal and snapshot store as every entity.
/// Without it the first request to need an entity (a login, say) waited over a second on an idle machine
/// and, on a loaded one, past the 5 s ask timeout (a 503). A recovery that fails (the database is down;
/// Akka gives up on it after 30 s) is tried again, 0.5 s doubling to 10 s apart, until one succeeds or
/// the node stops.
/// </summary>
public sealed class JournalWarmup(TimeProvider clock, IHostApplicationLifetime lifetime, ILogger<JournalWarmup> logger)
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    /// <summary>A backstop only: a recovery that cannot reach the database fails sooner, on the journal's own timeouts.</summary>
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(60);

    private readonly TaskCompletionSource<TimeSpan> _warm = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How long the first successful recovery took from the start of the warm-up, once it has.</summary>
    public TimeSpan? Elapsed => _warm.Task.IsCompletedSuccessfully ? _warm.Task.Result : null;

    /// <summary>
    /// Starts the warm-up in the background once the host has started. Started with the actor system instead,
    /// it competed with the rest of start-up and the node was ready later (4.1–4.3 s against 3.4–4.0 s).
    /// </summary>
    public void Start(ActorSystem system) => lifetime.ApplicationStarted.Register(() => _ = RunAsync(system, lifetime.ApplicationStopping));

    /// <summary>True once a probe has recovered; false when its recovery failed (the probe stopped without an answer).</summary>
    private static async Task<bool> RecoverOnceAsync(ActorSystem system, int attempt, CancellationToken stopping)
    {
        var probe = system.ActorOf(JournalProbeActor.Props(), "journal-probe-" + attempt);
        try
        {
            var stopped = probe.WatchAsync(stopping); // only a failed recovery stops the probe by itself
            var recovered = probe.Ask<JournalProbeRecovered>(ProbeJournal.Instance, AttemptTimeout, stopping);
            if (await Task.WhenAny(recovered, stopped) != recovered)
            {
                return false;
            }

            await recovered; // a timed-out ask throws here
            return true;
        }
        finally
        {
            system.Stop(probe);
        }
    }

    private async Task RunAsync(ActorSystem system, CancellationToken stopping)
    {
        var started = clock.GetTimestamp();
        var backoff = new RetryBackoff(MinBackoff, MaxBackoff);
        for (var attempt = 1; !stopping.IsCancellationRequested; attempt++)
        {
            try
            {
                if (await RecoverOnceAsync(system, attempt, stopping))
                {
                    var elapsed = clock.GetElapsedTime(started);
                    logger.LogInformation("Journal warm: its first recovery completed after {Milliseconds} ms", (long)elapsed.TotalMilliseconds);
                    _warm.TrySetResult(elapsed);
                    return;
                }

                logger.LogWarning("Journal warm-up: recovery attempt {Attempt} failed; trying again in {Backoff}", attempt, backoff.Current);
            }
            catch (AskTimeoutException)
            {
                logger.LogWarning("Journal warm-up: recovery attempt {Attempt} did not finish within {Timeout}; trying again in {Backoff}",
                    attempt, AttemptTimeout, backoff.Current);
            }
            catch (Exception e) when (stopping.IsCancellationRequested || system.WhenTerminated.IsCompleted)
            {
                logger.LogDebug(e, "Journal warm-up ended: the node is stopping");
                return;
            }

            try
            {
                await Task.Delay(backoff.Next(), clock, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
