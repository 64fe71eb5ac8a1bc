using Akka.Actor;
using Akka.Persistence;

namespace ActorQuotes.Actors.Persistence;

/// <summary>
/// Recovers a persistence id that nothing writes to and answers <see cref="ProbeJournal"/> once it has (Akka
/// holds commands until recovery completes). A recovery that fails stops it without an answer.
/// A node runs one at start so that the journal's first recovery (connections, tables, compiled queries:
/// over a second on an idle machine) is paid before the node reports ready, not by the first request.
/// </summary>
public sealed class JournalProbeActor : ReceivePersistentActor
{
    public const string ProbePersistenceId = "aq-journal-probe";

    public JournalProbeActor()
    {
        Command<ProbeJournal>(_ => Sender.Tell(JournalProbeRecovered.Instance));
    }

    public override string PersistenceId => ProbePersistenceId;

    public static Props Props() => Akka.Actor.Props.Create(() => new JournalProbeActor());
}

/// <summary>Answered with <see cref="JournalProbeRecovered"/> once the probe has recovered.</summary>
public sealed class ProbeJournal
{
    public static readonly ProbeJournal Instance = new();

    private ProbeJournal()
    {
    }
}

/// <summary>The probe has recovered.</summary>
public sealed class JournalProbeRecovered
{
    public static readonly JournalProbeRecovered Instance = new();

    private JournalProbeRecovered()
    {
    }
}
