using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Ids;
using Akka.Actor;
using Akka.Persistence;

namespace ActorQuotes.Actors.Ids;

/// <summary>
/// Hands out integer ids of one sequence, unique across the cluster (sharding keeps one instance) and
/// across restarts (each id is journaled before it is handed out). Replies <see cref="IdAllocated"/>.
/// </summary>
public sealed class IdSequenceActor : ReceivePersistentActor
{
    /// <summary>Snapshot this often so recovery replays at most this many events.</summary>
    public const int SnapshotEvery = 100;

    private long _last;

    public IdSequenceActor(string sequenceName)
    {
        PersistenceId = "id-sequence-" + sequenceName;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is IdSequenceSnapshot snapshot)
            {
                _last = snapshot.LastValue;
            }
        });
        Recover<IdReserved>(e => _last = e.Value);

        Command<AllocateId>(command =>
        {
            var replyTo = Sender;
            Persist(new IdReserved(_last + 1), e =>
            {
                _last = e.Value;
                replyTo.Tell(new IdAllocated(command.SequenceName, e.Value));
                if (LastSequenceNr % SnapshotEvery == 0)
                {
                    SaveSnapshot(new IdSequenceSnapshot(_last));
                }
            });
        });
        Command<SaveSnapshotSuccess>(s =>
            DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(_ => { }); // the next snapshot will try again; events are the truth
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
        Command<StopEntity>(_ => Context.Stop(Self));
    }

    public override string PersistenceId { get; }

    public static Props Props(string sequenceName) =>
        Akka.Actor.Props.Create(() => new IdSequenceActor(sequenceName));
}
