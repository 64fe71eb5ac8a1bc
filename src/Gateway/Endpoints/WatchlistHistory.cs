using System.Text.Json.Serialization;
using ActorQuotes.Actors.Watchlists;
using ActorQuotes.Contracts.Watchlists;
using ActorQuotes.Gateway.Auth;
using ActorQuotes.Gateway.Hosting;
using ActorQuotes.Gateway.Problems;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActorQuotes.Gateway.Endpoints;

/// <summary>One journaled change of a watchlist, as <c>GET /watchlists/{id}/history</c> lists it.</summary>
public sealed record HistoryEntry(
    long SequenceNr,
    string Type,
    DateTimeOffset At,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TickerSymbol = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Quantity = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? PurchasePrice = null)
{
    public static HistoryEntry From(long sequenceNr, IWatchlistEvent e) => e switch
    {
        WatchlistCreated c => new(sequenceNr, "created", c.At, Name: c.Name),
        StockAdded a => new(sequenceNr, "stock_added", a.At, TickerSymbol: a.TickerSymbol, Quantity: a.Quantity, PurchasePrice: a.PurchasePrice),
        PositionChanged p => new(sequenceNr, "position_changed", p.At, TickerSymbol: p.TickerSymbol, Quantity: p.Quantity, PurchasePrice: p.PurchasePrice),
        StockRemoved r => new(sequenceNr, "stock_removed", r.At, TickerSymbol: r.TickerSymbol),
        WatchlistRenamed n => new(sequenceNr, "renamed", n.At, Name: n.Name),
        WatchlistDeleted d => new(sequenceNr, "deleted", d.At),
        _ => new(sequenceNr, "unknown", e.At),
    };
}

public sealed record HistoryResponse(long WatchlistId, IReadOnlyList<HistoryEntry> Events);

/// <summary>
/// <c>GET /api/v1/watchlists/{id}/history</c>: the watchlist's own events in order, read from the journal
/// with Akka.Persistence.Query after the watchlist itself confirmed the caller owns it.
/// </summary>
public static class WatchlistHistory
{
    /// <summary>The oldest events first, at most this many (a watchlist's history is short by its limits).</summary>
    public const int MaxEvents = 10_000;

    public static async Task<Results<Ok<HistoryResponse>, ProblemHttpResult>> Get(
        long id,
        HttpContext context,
        ActorQuotesRegions regions,
        ActorSystem system,
        CancellationToken cancellationToken)
    {
        var user = CurrentUser.From(context.User);
        if (await regions.AskWatchlist(new GetWatchlist(id, user.UserId), cancellationToken) is WatchlistCommandRejected rejected)
        {
            return WatchlistEndpoints.FromRejection(rejected);
        }

        try
        {
            var journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
            var events = await journal
                .CurrentEventsByPersistenceId(WatchlistActor.PersistenceIdFor(id), 0, long.MaxValue)
                .Where(envelope => envelope.Event is IWatchlistEvent)
                .Take(MaxEvents)
                .Select(envelope => HistoryEntry.From(envelope.SequenceNr, (IWatchlistEvent)envelope.Event))
                .RunWith(Sink.Seq<HistoryEntry>(), system.Materializer())
                .WaitAsync(regions.AskTimeout, cancellationToken);
            return TypedResults.Ok(new HistoryResponse(id, events));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new ServiceUnavailableException("the journal could not be read; try again");
        }
    }
}
