using System.Text.Json;
using System.Text.Json.Serialization;
using ActorQuotes.Actors.Catalog;
using ActorQuotes.Contracts.Tickers;
using ActorQuotes.Gateway.Hosting;
using ActorQuotes.Gateway.Ingest;
using ActorQuotes.Gateway.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Endpoints;

/// <summary>What became of one tick of a batch: <c>accepted</c> with its sequence, or <c>rejected</c> with a reason.</summary>
public sealed record IngestTickResult(
    int Index,
    string TickerSymbol,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Sequence,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason);

public sealed record IngestResponse(int Accepted, int Rejected, IReadOnlyList<IngestTickResult> Results);

/// <summary>
/// The ingest API for external feed adapters, authenticated by a <see cref="FeedKey"/>:
/// <c>POST /api/v1/quotes</c> takes a batch and answers per tick; <c>/api/v1/ws/feed</c> (<see cref="FeedSocket"/>)
/// takes a stream of batches and acks each one. Every tick goes to its ticker as an <see cref="IngestTick"/>;
/// the ticker alone decides whether it is accepted.
/// </summary>
public static class IngestEndpoints
{
    public const long MaxBatchBytes = 1 << 20;

    private const string Accepted = "accepted";
    private const string Rejected = "rejected";

    public static IEndpointRouteBuilder MapIngestEndpoints(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IOptions<IngestOptions>>().Value.Enabled)
        {
            return app;
        }

        app.MapPost("/api/v1/quotes", PostBatch)
            .WithTags("ingest")
            .WithMetadata(new RequestSizeLimitAttribute(MaxBatchBytes));
        app.Map("/api/v1/ws/feed", FeedSocket.AcceptAsync);
        return app;
    }

    private static async Task<Results<Ok<IngestResponse>, ProblemHttpResult>> PostBatch(
        HttpRequest request,
        ActorQuotesRegions regions,
        CompanyCatalog catalog,
        IOptions<IngestOptions> options,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        // The key is checked before the body is read: a caller without one costs no parsing.
        if (!FeedKey.IsValid(FeedKey.FromHeader(request), options.Value))
        {
            return ApiProblems.Unauthorized($"a valid {FeedKey.HeaderName} header is required");
        }

        if (!request.HasJsonContentType())
        {
            return ApiProblems.Create(StatusCodes.Status415UnsupportedMediaType,
                ApiProblems.CodeForStatus(StatusCodes.Status415UnsupportedMediaType), "Send the ticks as application/json.");
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, cancellationToken);
        }
        catch (JsonException e)
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, ApiProblems.BadRequest, "The request body is not valid JSON.", e.Message);
        }

        using (document)
        {
            var batch = TickBatchParser.Parse(document.RootElement, allowSingle: false, catalog, clock.GetUtcNow());
            if (batch.Malformed is { } malformed)
            {
                return ApiProblems.Create(StatusCodes.Status400BadRequest, ApiProblems.BadRequest, "The request could not be read.",
                    malformed.Field + " " + malformed.Message);
            }

            if (batch.Invalid is { } invalid)
            {
                return ApiProblems.Validation(invalid);
            }

            var outcomes = await TickSender.SendAsync(batch.Ticks!, regions.Tickers, regions.AskTimeout, cancellationToken);
            var results = new IngestTickResult[outcomes.Length];
            var accepted = 0;
            for (var i = 0; i < outcomes.Length; i++)
            {
                var outcome = outcomes[i];
                if (outcome.Reason is null)
                {
                    accepted++;
                    results[i] = new IngestTickResult(i, outcome.Symbol, Accepted, outcome.Sequence, null);
                }
                else
                {
                    results[i] = new IngestTickResult(i, outcome.Symbol, Rejected, null, outcome.Reason);
                }
            }

            return TypedResults.Ok(new IngestResponse(accepted, results.Length - accepted, results));
        }
    }
}
