using ActorQuotes.Actors.Ids;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Ids;

namespace ActorQuotes.Actors.Tests;

public sealed class IdSequenceActorTests(ITestOutputHelper output) : ActorQuotesTestKit(output)
{
    [Fact(DisplayName = "Ids count up from 1 and never repeat across a restart, past a snapshot")]
    public async Task Ids_survive_restart()
    {
        var first = Sys.ActorOf(IdSequenceActor.Props("test"));
        var handed = new List<long>();
        for (var i = 0; i < IdSequenceActor.SnapshotEvery + 5; i++)
        {
            first.Tell(new AllocateId("test"));
            handed.Add((await ExpectMsgAsync<IdAllocated>()).Value);
        }

        Watch(first);
        first.Tell(StopEntity.Instance);
        await ExpectTerminatedAsync(first);
        var second = Sys.ActorOf(IdSequenceActor.Props("test"));
        second.Tell(new AllocateId("test"));
        var next = (await ExpectMsgAsync<IdAllocated>()).Value;

        Assert.Equal(Enumerable.Range(1, IdSequenceActor.SnapshotEvery + 5).Select(i => (long)i), handed);
        Assert.Equal(IdSequenceActor.SnapshotEvery + 6, next);
    }
}
