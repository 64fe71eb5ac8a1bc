using Akka.Actor;

namespace ActorQuotes.Actors.Admin;

/// <summary>
/// Walks the actor tree below one path with <see cref="ActorSelection"/> and <see cref="Identify"/>, the
/// way an operator's tool must (it cannot read another actor's children). Each actor found is asked for
/// its own children (<c>path/*</c>) until <c>depth</c> levels are known; the walk ends when no answer
/// has come for <see cref="QuietPeriod"/>, or at the deadline, and answers the sender of
/// <see cref="WalkTree"/> with an <see cref="ActorTree"/>. One per query; it stops itself.
/// </summary>
public sealed class HierarchyWalker : ReceiveActor, IWithTimers
{
    /// <summary>Local actors answer Identify within milliseconds; this long a silence means the walk is done.</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(300);

    /// <summary>Bounds the answer on a node with very many entities.</summary>
    public const int MaxActors = 5000;

    private readonly string _root;
    private readonly int _depth;
    private IActorRef _replyTo = ActorRefs.Nobody;
    private readonly SortedSet<string> _found = new(StringComparer.Ordinal);
    private bool _rootExists;
    private bool _truncated;
    private readonly TimeSpan _deadline;

    public HierarchyWalker(string root, int depth, TimeSpan deadline)
    {
        _root = root.TrimEnd('/');
        _depth = depth;
        Receive<ActorIdentity>(identity =>
        {
            if (identity.Subject is not { } subject || subject.Equals(Self))
            {
                return;
            }

            var path = subject.Path.ToStringWithoutAddress();
            if ((int)identity.MessageId == 0)
            {
                _rootExists = true;
                return;
            }

            if (_found.Count >= MaxActors)
            {
                _truncated = true;
                return;
            }

            if (_found.Add(path) && Level(path) < _depth)
            {
                AskChildren(subject.Path);
            }
        });
        Receive<WalkTree>(_ =>
        {
            _replyTo = Sender;
            Timers.StartSingleTimer("deadline", Deadline.Instance, _deadline);
            Context.SetReceiveTimeout(QuietPeriod);
            Context.ActorSelection(_root).Tell(new Identify(0), Self);
            if (_depth > 0)
            {
                Context.ActorSelection(_root + "/*").Tell(new Identify(1), Self);
            }
        });
        Receive<ReceiveTimeout>(_ => Finish());
        Receive<Deadline>(_ =>
        {
            _truncated = true;
            Finish();
        });
        _deadline = deadline;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string root, int depth, TimeSpan deadline) =>
        Akka.Actor.Props.Create(() => new HierarchyWalker(root, depth, deadline));

    private void AskChildren(ActorPath path) =>
        Context.ActorSelection(path.ToStringWithoutAddress() + "/*").Tell(new Identify(1), Self);

    private int Level(string path) => path.Length <= _root.Length ? 0 : path[_root.Length..].Count(c => c == '/');

    private void Finish()
    {
        _replyTo.Tell(new ActorTree(_root, _rootExists, _found.ToArray(), _truncated));
        Context.Stop(Self);
    }

    private sealed class Deadline
    {
        public static readonly Deadline Instance = new();
    }
}

/// <summary>Asker → <see cref="HierarchyWalker"/>: start; replies <see cref="ActorTree"/>. Local only.</summary>
public sealed class WalkTree
{
    public static readonly WalkTree Instance = new();

    private WalkTree()
    {
    }
}

/// <summary>The paths found below <paramref name="Root"/>, sorted; local only, never remoted.</summary>
public sealed record ActorTree(string Root, bool RootExists, IReadOnlyList<string> Paths, bool Truncated);
