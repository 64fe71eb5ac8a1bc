using Akka.Actor;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActorQuotes.Gateway.Problems;

/// <summary>
/// Turns an actor that did not answer a read in time into 503 <c>unavailable</c>, a write whose outcome is
/// unknown into 504 <c>outcome_unknown</c>, and a malformed request the framework rejected into 400;
/// everything else falls through to the generic 500 problem.
/// </summary>
public sealed class ActorExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemHttpResult? problem = exception switch
        {
            AskTimeoutException => ApiProblems.ServiceUnavailable("the cluster did not answer in time; try again"),
            ServiceUnavailableException unavailable => ApiProblems.ServiceUnavailable(unavailable.Message),
            OutcomeUnknownException unknown => ApiProblems.OutcomeUnknown(unknown.Message),
            BadHttpRequestException bad => ApiProblems.Create(bad.StatusCode, ApiProblems.CodeForStatus(bad.StatusCode),
                "The request could not be read.", bad.Message),
            _ => null,
        };
        if (problem is null)
        {
            return false;
        }

        await problem.ExecuteAsync(httpContext);
        return true;
    }
}

/// <summary>A dependency (the journal) refused a request it cannot serve now; answered 503 <c>unavailable</c>.</summary>
public sealed class ServiceUnavailableException(string message) : Exception(message);

/// <summary>
/// A write was sent but its outcome is unknown (the ask timed out, or the journal write failed): it may or
/// may not have happened. Answered 504 <c>outcome_unknown</c>; the client retries with the same Idempotency-Key.
/// </summary>
public sealed class OutcomeUnknownException(string message) : Exception(message);
