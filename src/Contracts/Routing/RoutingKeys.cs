namespace ActorQuotes.Contracts.Routing;

/// <summary>A message addressed to one watchlist entity.</summary>
public interface IWithWatchlistId
{
    long WatchlistId { get; }
}

/// <summary>A message addressed to one ticker entity.</summary>
public interface IWithSymbol
{
    string Symbol { get; }
}

/// <summary>A message addressed to one account entity (keyed by the normalized username).</summary>
public interface IWithUsername
{
    string Username { get; }
}

/// <summary>A message addressed to one id sequence entity.</summary>
public interface IWithSequenceName
{
    string SequenceName { get; }
}
