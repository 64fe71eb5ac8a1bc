using ActorQuotes.Actors.Persistence;
using Akka.Actor;
using System.Runtime.CompilerServices;
using Akka.TestKit;

namespace ActorQuotes.Actors.Tests;

public sealed class DurableEntityHostTests(ITestOutputHelper output) : ActorQuotesTestKit(output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact(DisplayName = "While a restarted journal is still recovering (the store still down), reads answer from the last state at once and writes wait for the outcome")]
    public async Task Reads_answer_from_memory_while_the_journal_recovers()
    {
        var incarnations = CreateTestProbe();
        var started = new StrongBox<int>();
        var host = StartHost(Props.Create(() => new ScriptedJournal(incarnations.Ref, started)));

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

    [Fact(DisplayName = "A read sent straight after a failed write is answered from memory while the failed journal is still stopping, and the next journal starts only once it has stopped")]
    public async Task Read_straight_after_a_failed_write()
    {
        var incarnations = CreateTestProbe();
        var started = new StrongBox<int>();
        var host = StartHost(Props.Create(() => new SlowlyFailingJournal(incarnations.Ref, started)));
        var first = await incarnations.ExpectMsgAsync<IActorRef>(Wait);

        host.Tell("write", TestActor);
        await ExpectMsgAsync("unavailable", Wait);
        // Akka stops a persistent actor after its write failed, but not at once; a read must not go to it meanwhile.
        host.Tell("read", TestActor);
        await ExpectMsgAsync("state v1", Wait);
        host.Tell("write", TestActor);
        await ExpectMsgAsync("unavailable", Wait);

        // The host's backoff (0.5 s) passes with the failed child alive: no second child under the same name.
        await incarnations.ExpectNoMsgAsync(TimeSpan.FromSeconds(1));
        Sys.Stop(first);
        var second = await incarnations.ExpectMsgAsync<IActorRef>(Wait);
        Assert.NotEqual(first, second);
        host.Tell("read", TestActor);
        await ExpectMsgAsync("state v1 (incarnation 2)", Wait);
    }

    /// <summary>A host that answers "read" from its last state as "state …", and refuses everything else "unavailable".</summary>
    private IActorRef StartHost(Props journal) => Sys.ActorOf(DurableEntityHost.Props(
        journal,
        answerFromState: (state, message) => message is "read" ? $"state {state}" : null,
        unavailable: _ => "unavailable",
        stopMessage: "stop"));

    /// <summary>
    /// The first incarnation recovers "v1", and its first write fails: it tells its host
    /// <see cref="JournalFailed"/>, refuses the write, and then answers nothing until it is stopped from
    /// outside, like a persistent actor on its way to being stopped. Later incarnations recover and answer reads.
    /// </summary>
    private sealed class SlowlyFailingJournal : ReceiveActor
    {
        public SlowlyFailingJournal(IActorRef incarnations, StrongBox<int> started)
        {
            var incarnation = Interlocked.Increment(ref started.Value);
            incarnations.Tell(Self);
            Context.Parent.Tell(new JournaledState("v1"));
            if (incarnation == 1)
            {
                Receive<string>(m => m == "read", _ => Sender.Tell("state v1"));
                Receive<string>(m => m == "write", _ =>
                {
                    Context.Parent.Tell(JournalFailed.Instance);
                    Sender.Tell("unavailable");
                    Become(() => { }); // stopping: nothing is answered any more
                });
            }
            else
            {
                Receive<string>(m => m == "read", _ => Sender.Tell($"state v1 (incarnation {incarnation})"));
            }
        }
    }

    /// <summary>
    /// Stands in for a persistent entity: the first incarnation reports its recovered state, answers reads
    /// and fails its first write; later ones hang in recovery.
    /// </summary>
    private sealed class ScriptedJournal : ReceiveActor
    {
        public ScriptedJournal(IActorRef incarnations, StrongBox<int> started)
        {
            var incarnation = Interlocked.Increment(ref started.Value);
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
