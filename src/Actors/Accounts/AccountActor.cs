using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Accounts;
using Akka.Actor;
using Akka.Persistence;

namespace ActorQuotes.Actors.Accounts;

/// <summary>
/// One account, sharded by normalized username and event-sourced. Replies to <see cref="IAccountRequest"/>s
/// with <see cref="AccountView"/>, <see cref="AccountCredentials"/>, <see cref="AccountWatchlists"/> or
/// <see cref="AccountCommandRejected"/>, after the events are journaled.
/// </summary>
public sealed class AccountActor : ReceivePersistentActor
{
    private readonly TimeProvider _clock;
    private AccountState _state;

    public AccountActor(string username, TimeProvider clock)
    {
        _clock = clock;
        _state = AccountState.Empty(username);
        PersistenceId = PersistenceIdFor(username);

        Recover<IAccountEvent>(e => _state = _state.Apply(e));

        Command<RegisterAccount>(Register);
        Command<GetAccountCredentials>(_ => Sender.Tell(_state.Registered
            ? new AccountCredentials(_state.UserId, _state.Username, _state.PasswordHash)
            : NotFound()));
        Command<GetAccountWatchlists>(_ => Sender.Tell(_state.Registered ? Watchlists() : NotFound()));
        Command<LinkWatchlist>(Link);
        Command<UnlinkWatchlist>(Unlink);
        Command<StopEntity>(_ => Context.Stop(Self));
    }

    public override string PersistenceId { get; }

    public static string PersistenceIdFor(string username) => "account-" + username;

    public static Props Props(string username, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new AccountActor(username, clock));

    private void Register(RegisterAccount command)
    {
        if (_state.Registered)
        {
            Sender.Tell(new AccountCommandRejected(_state.Username, AccountRejection.AlreadyExists, "username is taken"));
            return;
        }

        var replyTo = Sender;
        Persist(new AccountRegistered(command.UserId, command.Username, command.PasswordHash, _clock.GetUtcNow()), e =>
        {
            _state = _state.Apply(e);
            replyTo.Tell(new AccountView(_state.UserId, _state.Username));
        });
    }

    private void Link(LinkWatchlist command)
    {
        if (!_state.Registered)
        {
            Sender.Tell(NotFound());
            return;
        }

        if (_state.WatchlistIds.Contains(command.WatchlistId))
        {
            Sender.Tell(Watchlists());
            return;
        }

        if (_state.WatchlistIds.Count >= AccountState.MaxWatchlists)
        {
            Sender.Tell(new AccountCommandRejected(_state.Username, AccountRejection.LimitReached,
                $"a user owns at most {AccountState.MaxWatchlists} watchlists"));
            return;
        }

        var replyTo = Sender;
        Persist(new WatchlistLinked(command.WatchlistId, _clock.GetUtcNow()), e =>
        {
            _state = _state.Apply(e);
            replyTo.Tell(Watchlists());
        });
    }

    private void Unlink(UnlinkWatchlist command)
    {
        if (!_state.Registered || !_state.WatchlistIds.Contains(command.WatchlistId))
        {
            Sender.Tell(_state.Registered ? Watchlists() : NotFound());
            return;
        }

        var replyTo = Sender;
        Persist(new WatchlistUnlinked(command.WatchlistId, _clock.GetUtcNow()), e =>
        {
            _state = _state.Apply(e);
            replyTo.Tell(Watchlists());
        });
    }

    private AccountWatchlists Watchlists() => new(_state.Username, _state.WatchlistIds);

    private AccountCommandRejected NotFound() =>
        new(_state.Username, AccountRejection.NotFound, "account not found");
}
