using Akka.Cluster.Sharding;

namespace ActorQuotes.Contracts.Routing;

/// <summary>Names of the shard regions, shared by hosts and proxies.</summary>
public static class ShardRegions
{
    public const string Watchlist = "watchlist";
    public const string Ticker = "ticker";
    public const string Account = "account";
    public const string IdSequence = "id-sequence";

    /// <summary>Enough shards for a cluster of tens of nodes without making rebalancing chatty.</summary>
    public const int MaxShards = 100;
}

/// <summary>Routes <see cref="IWithWatchlistId"/> messages; entity id is the decimal watchlist id.</summary>
public sealed class WatchlistMessageExtractor() : HashCodeMessageExtractor(ShardRegions.MaxShards)
{
    public override string? EntityId(object message) => message switch
    {
        IWithWatchlistId m => m.WatchlistId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };
}

/// <summary>
/// Routes <see cref="IWithSymbol"/> messages; entity id is the ticker symbol in upper case, so "aapl"
/// and "AAPL" reach the same ticker.
/// </summary>
public sealed class TickerMessageExtractor() : HashCodeMessageExtractor(ShardRegions.MaxShards)
{
    public override string? EntityId(object message) => message switch
    {
        IWithSymbol m => m.Symbol.ToUpperInvariant(),
        _ => null,
    };
}

/// <summary>Routes <see cref="IWithUsername"/> messages; entity id is the normalized username.</summary>
public sealed class AccountMessageExtractor() : HashCodeMessageExtractor(ShardRegions.MaxShards)
{
    public override string? EntityId(object message) => message switch
    {
        IWithUsername m => m.Username,
        _ => null,
    };
}

/// <summary>Routes <see cref="IWithSequenceName"/> messages; entity id is the sequence name.</summary>
public sealed class IdSequenceMessageExtractor() : HashCodeMessageExtractor(ShardRegions.MaxShards)
{
    public override string? EntityId(object message) => message switch
    {
        IWithSequenceName m => m.SequenceName,
        _ => null,
    };
}
