using ActorQuotes.Contracts.Serialization;

namespace ActorQuotes.Contracts.Feeds;

/// <summary>Admin → feed: stop sending ticks until <see cref="ResumeFeed"/>. Replies <see cref="FeedStatus"/>.</summary>
[SerializationManifest("aq.fd.pause")]
public sealed record PauseFeed : IActorQuotesMessage
{
    public static readonly PauseFeed Instance = new();
}

/// <summary>Admin → feed: send ticks again, from where it paused. Replies <see cref="FeedStatus"/>.</summary>
[SerializationManifest("aq.fd.resume")]
public sealed record ResumeFeed : IActorQuotesMessage
{
    public static readonly ResumeFeed Instance = new();
}

/// <summary>Admin → feed: how it is doing. Replies <see cref="FeedStatus"/>.</summary>
[SerializationManifest("aq.fd.get-status")]
public sealed record GetFeedStatus : IActorQuotesMessage
{
    public static readonly GetFeedStatus Instance = new();
}

/// <summary>A feed's state: paused or not, and ticks sent to the ticker region since it started.</summary>
[SerializationManifest("aq.fd.status")]
public sealed record FeedStatus(string Feed, bool Paused, long TicksSent) : IActorQuotesMessage;
