using ActorQuotes.Actors.Catalog;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Watchlists;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Persistence;

namespace ActorQuotes.Actors.Watchlists;

/// <summary>
/// One user's watchlist, sharded by id and event-sourced. Replies to every <see cref="IWatchlistRequest"/>
/// with <see cref="WatchlistView"/>, <see cref="WatchlistDeletedReply"/> or <see cref="WatchlistCommandRejected"/>,
/// only after the events are journaled; publishes each change on <see cref="Topics.Watchlist"/>.
/// </summary>
public sealed class WatchlistActor : ReceivePersistentActor
{
    private readonly CompanyCatalog _catalog;
    private readonly IActorRef _mediator;
    private readonly TimeProvider _clock;
    private WatchlistState _state;

    public WatchlistActor(long watchlistId, CompanyCatalog catalog, IActorRef mediator, TimeProvider clock)
    {
        _catalog = catalog;
        _mediator = mediator;
        _clock = clock;
        _state = WatchlistState.Empty(watchlistId);
        PersistenceId = PersistenceIdFor(watchlistId);

        Recover<IWatchlistEvent>(e => _state = _state.Apply(e));
        Command<IWatchlistRequest>(Handle);
        Command<StopEntity>(_ => Context.Stop(Self));
    }

    public override string PersistenceId { get; }

    public static string PersistenceIdFor(long watchlistId) => "watchlist-" + watchlistId;

    public static Props Props(long watchlistId, CompanyCatalog catalog, IActorRef mediator, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new WatchlistActor(watchlistId, catalog, mediator, clock));

    private void Handle(IWatchlistRequest command)
    {
        var decision = _state.Decide(command, _clock.GetUtcNow(), _catalog);
        if (decision.Rejection is { } rejection)
        {
            Sender.Tell(rejection);
            return;
        }

        if (decision.Events.IsEmpty)
        {
            Sender.Tell(_state.ToView());
            return;
        }

        var replyTo = Sender;
        PersistAll(decision.Events, e => _state = _state.Apply(e));
        DeferAsync(command, _ =>
        {
            if (_state.Deleted)
            {
                replyTo.Tell(new WatchlistDeletedReply(_state.WatchlistId));
                _mediator.Tell(new Publish(Topics.Watchlist(_state.WatchlistId), new WatchlistGone(_state.WatchlistId)));
                return;
            }

            var view = _state.ToView();
            replyTo.Tell(view);
            _mediator.Tell(new Publish(Topics.Watchlist(_state.WatchlistId), new WatchlistChanged(view)));
        });
    }
}
