using ActorQuotes.Actors.Persistence;
using Akka.Actor;
using Akka.TestKit;

namespace ActorQuotes.Actors.Tests;

public sealed class DurableEntityHostTests(ITestOutputHelper output) : ActorQuotesTestKit(output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact(DisplayName = "While a restarted journal is still recovering (the store still down), reads answer from the last state at once and writes wait for the outcome")]
    public async Task Reads_answer_from_memory_while_the_journal_recovers()
    {
        var incarnations = CreateTestProbe();
        var host = Sys.ActorOf(DurableEntityHost.Props(
            Props.Create(() => new ScriptedJournal(incarnations.Ref)),
            answerFromState: (state, message) => message is "read" ? $"state {state}" : null,
            unavailable: _ => "unavailable",
            stopMessage: "stop"));

        // The first incarnation recovers "v1"; a write then fails (the child stops, as Akka stops a
        // persistent actor whose write failed), and the host restarts it after its backoff.
        Assert.Equal(1, await incarnations.ExpectMsgAsync<int>(Wait));
        host.Tell("read", TestActor);
        await ExpectMsgAsync("state v1", Wait);
        host.Tell("write", TestActor);
        await ExpectMsgAsync("unavailable", Wait);

        // The second incarnation never finishes recovering, like one waiting on a journal that is still down.
        Assert.Equal(2, await incarnations.ExpectMsgAsync<int>(Wait));
        host.Tell("read", TestActor);
        await ExpectMsgAsync("state v1", Wait);
        host.Tell("write", TestActor);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // waits for the recovery's outcome
    }

    /// <summary>
    /// Stands in for a persistent entity: the first incarnation reports its recovered state, answers reads
    /// and fails its first write; later ones hang in recovery.
    /// </summary>
    private sealed class ScriptedJournal : ReceiveActor
    {
        private static int _started;

        public ScriptedJournal(IActorRef incarnations)
        {
            var incarnation = Interlocked.Increment(ref _started);
            incarnations.Tell(incarnation);
            if (incarnation == 1)
            {
                Context.Parent.Tell(new JournaledState("v1"));
                Receive<string>(m => m == "read", _ => Sender.Tell("state v1"));
                Receive<string>(m => m == "write", _ =>
                {
                    Sender.Tell("unavailable");
                    Context.Stop(Self);
                });
            }
        }
    }
}
