using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Accounts;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;

namespace ActorQuotes.Actors.Accounts;

/// <summary>
/// A node's ear for logouts anywhere in the cluster: subscribes to <see cref="Topics.Revocations"/> and hands
/// each <see cref="TokenRevokedNotice"/> to the node's revocation list (the gateway's, which is thread-safe).
/// Calls <c>subscribed</c> once the mediator has the subscription, so the list can read the stored
/// revocations knowing that none recorded after the read is missed. No replies.
/// </summary>
public sealed class RevocationSubscriber : ReceiveActor
{
    private readonly IActorRef _mediator;

    public RevocationSubscriber(IActorRef mediator, Action<TokenRevokedNotice> learn, Action subscribed)
    {
        _mediator = mediator;
        Receive<TokenRevokedNotice>(learn);
        Receive<SubscribeAck>(_ => subscribed());
    }

    public static Props Props(IActorRef mediator, Action<TokenRevokedNotice> learn, Action subscribed) =>
        Akka.Actor.Props.Create(() => new RevocationSubscriber(mediator, learn, subscribed));

    protected override void PreStart() => _mediator.Tell(new Subscribe(Topics.Revocations, Self));
}
