using ActorQuotes.Actors.Observability;
using ActorQuotes.Actors.Persistence;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Accounts;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Persistence;

namespace ActorQuotes.Actors.Accounts;

/// <summary>
/// One account, sharded by normalized username and event-sourced. Replies to <see cref="IAccountRequest"/>s
/// with <see cref="AccountView"/>, <see cref="AccountCredentials"/>, <see cref="AccountWatchlists"/>,
/// <see cref="WatchlistLinkResult"/>, <see cref="TokenRevocationRecorded"/>, <see cref="LoginLockedOut"/>
/// or <see cref="AccountCommandRejected"/>, after the events are journaled. Runs behind a
/// <see cref="DurableEntityHost"/> (<see cref="EntityProps"/>).
/// </summary>
public sealed class AccountActor : ReceivePersistentActor
{
    public const int SnapshotEvery = 100;

    private readonly IActorRef _mediator;
    private readonly TimeProvider _clock;
    private LoginThrottle _unknownUserThrottle = LoginThrottle.Free; // in memory: see AccountState.DecideLoginResult
    private LoginAttempts _attempts = LoginAttempts.None;
    private AccountState _state;
    private IActorRef? _awaitingWrite;

    public AccountActor(string username, IActorRef mediator, TimeProvider clock)
    {
        _mediator = mediator;
        _clock = clock;
        _state = AccountState.Empty(username);
        PersistenceId = PersistenceIdFor(username);

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is AccountSnapshot snapshot)
            {
                _state = AccountState.FromSnapshot(snapshot);
            }
        });
        Recover<IAccountEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => Context.Parent.Tell(new JournaledState(_state)));

        Command<RegisterAccount>(Register);
        Command<BeginLogin>(_ => BeginLogin());
        Command<RecordLoginResult>(RecordLoginResult);
        Command<LinkWatchlist>(Link);
        Command<UnlinkWatchlist>(Unlink);
        Command<RevokeToken>(Revoke);
        Command<ReleaseWatchlistLinks>(Release);
        Command<GetStaleWatchlistLinks>(q => Sender.Tell(_state.Registered
            ? new AccountWatchlists(_state.Username, _state.LinkedBefore(_clock.GetUtcNow() - q.MinAge))
            : _state.NotFound()));
        Command<IAccountRequest>(read => Sender.Tell(_state.Read(read) ?? _state.NotFound()));
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(_ => { });
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
        Command<StopEntity>(_ => Context.Stop(Self));
    }

    public override string PersistenceId { get; }

    public static string PersistenceIdFor(string username) => "account-" + username;

    public static Props Props(string username, IActorRef mediator, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new AccountActor(username, mediator, clock));

    /// <summary>The sharded entity: this actor behind a <see cref="DurableEntityHost"/>.</summary>
    public static Props EntityProps(string username, IActorRef mediator, TimeProvider clock) =>
        DurableEntityHost.Props(
            Props(username, mediator, clock),
            (state, message) => state is AccountState s && message is IAccountRequest request ? s.Read(request) : null,
            _ => new AccountCommandRejected(username, AccountRejection.Unavailable, "the journal is unavailable; try again"),
            StopEntity.Instance);

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        Context.Parent.Tell(JournalFailed.Instance); // first, so the host has stopped forwarding before the caller retries
        // Akka: after a persist failure the event may or may not have been stored. So not "nothing changed".
        _awaitingWrite?.Tell(new AccountCommandRejected(_state.Username, AccountRejection.OutcomeUnknown,
            "the journal write failed; the change may or may not have been stored"));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    private void Register(RegisterAccount command)
    {
        if (_state.Registered)
        {
            Sender.Tell(new AccountCommandRejected(_state.Username, AccountRejection.AlreadyExists, "username is taken"));
            return;
        }

        var registered = new AccountRegistered(command.UserId, command.Username, command.PasswordHash, _clock.GetUtcNow())
        {
            RegistrationKey = command.IdempotencyKey,
        };
        Write(registered, () => new AccountView(_state.UserId, _state.Username));
    }

    private void BeginLogin()
    {
        var now = _clock.GetUtcNow();
        var (attempts, refusedUntil) = _attempts.Begin(_state.Registered ? _state.Login : _unknownUserThrottle, now);
        _attempts = attempts;
        Sender.Tell(refusedUntil is { } until ? new LoginLockedOut(_state.Username, until)
            : _state.Registered ? _state.Credentials()
            : _state.NotFound());
    }

    private void RecordLoginResult(RecordLoginResult result)
    {
        var now = _clock.GetUtcNow();
        _attempts = _attempts.Finish();
        if (!_state.Registered)
        {
            _unknownUserThrottle = result.Succeeded ? LoginThrottle.Free : _unknownUserThrottle.Failed(now);
            return;
        }

        if (_state.DecideLoginResult(result.Succeeded, now) is { } recorded)
        {
            Write(recorded, reply: null);
        }
    }

    private void Link(LinkWatchlist command)
    {
        if (!_state.Registered)
        {
            Sender.Tell(_state.NotFound());
            return;
        }

        if (command.IdempotencyKey is { } key && _state.IdempotencyKeys.TryGetValue(key, out var earlier))
        {
            Sender.Tell(new WatchlistLinkResult(_state.Username, earlier, Retried: true));
            return;
        }

        if (_state.WatchlistIds.Contains(command.WatchlistId))
        {
            Sender.Tell(new WatchlistLinkResult(_state.Username, command.WatchlistId, Retried: true));
            return;
        }

        if (_state.WatchlistIds.Count >= AccountState.MaxWatchlists)
        {
            Sender.Tell(new AccountCommandRejected(_state.Username, AccountRejection.LimitReached,
                $"a user owns at most {AccountState.MaxWatchlists} watchlists"));
            return;
        }

        var linked = new WatchlistLinked(command.WatchlistId, _clock.GetUtcNow()) { IdempotencyKey = command.IdempotencyKey };
        Write(linked, () => new WatchlistLinkResult(_state.Username, command.WatchlistId, Retried: false));
    }

    private void Unlink(UnlinkWatchlist command)
    {
        if (!_state.Registered || !_state.WatchlistIds.Contains(command.WatchlistId))
        {
            Sender.Tell(_state.Registered ? new AccountWatchlists(_state.Username, _state.WatchlistIds) : _state.NotFound());
            return;
        }

        Write(new WatchlistUnlinked(command.WatchlistId, _clock.GetUtcNow()), () => new AccountWatchlists(_state.Username, _state.WatchlistIds));
    }

    private void Release(ReleaseWatchlistLinks command)
    {
        var unlinks = _state.DecideRelease(command.WatchlistIds, _clock.GetUtcNow());
        if (unlinks.IsEmpty)
        {
            Sender.Tell(_state.Registered ? new AccountWatchlists(_state.Username, _state.WatchlistIds) : _state.NotFound());
            return;
        }

        // One atomic write for all: a limit check that found many dead links costs one round trip, not one each.
        var replyTo = Sender;
        _awaitingWrite = replyTo;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        PersistAll(unlinks, persisted =>
        {
            _state = _state.Apply(persisted);
            if (LastSequenceNr % SnapshotEvery == 0)
            {
                SaveSnapshot(_state.ToSnapshot());
            }
        });
        DeferAsync(command, _ =>
        {
            NodeMetrics.Get(Context.System).JournalWriteSeconds.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            _awaitingWrite = null;
            Context.Parent.Tell(new JournaledState(_state));
            replyTo.Tell(new AccountWatchlists(_state.Username, _state.WatchlistIds));
        });
    }

    private void Revoke(RevokeToken command)
    {
        var (revoked, answer) = _state.DecideRevoke(command, _clock.GetUtcNow());
        if (revoked is null)
        {
            Sender.Tell(answer);
            return;
        }

        Write(revoked, () =>
        {
            _mediator.Tell(new Publish(Topics.Account(_state.Username), new TokenRevokedNotice(_state.Username, command.TokenId)));
            NodeMetrics.Get(Context.System).Published("account");
            return new TokenRevocationRecorded(_state.Username, command.TokenId);
        });
    }

    /// <summary>Journals one event, applies it, tells the host, then replies (if there is a reply).</summary>
    private void Write(IAccountEvent e, Func<object>? reply)
    {
        var replyTo = Sender;
        _awaitingWrite = reply is null ? null : replyTo;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Persist(e, persisted =>
        {
            NodeMetrics.Get(Context.System).JournalWriteSeconds.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            _awaitingWrite = null;
            _state = _state.Apply(persisted);
            Context.Parent.Tell(new JournaledState(_state));
            if (LastSequenceNr % SnapshotEvery == 0)
            {
                SaveSnapshot(_state.ToSnapshot());
            }

            if (reply is not null)
            {
                replyTo.Tell(reply());
            }
        });
    }
}
