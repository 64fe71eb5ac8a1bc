using System.Text.Json;
using System.Threading.Channels;
using ActorQuotes.Actors.Admin;
using ActorQuotes.Gateway.Problems;
using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ActorQuotes.Gateway.Admin;

/// <summary><c>aq cluster …</c>: this node's view of the membership, and the membership commands.</summary>
public static class ClusterAdmin
{
    public static Ok<ClusterView> Show(AdminContext admin) => TypedResults.Ok(ClusterView.Of(Cluster.Get(admin.System)));

    public static Results<Ok<ClusterCommandResult>, ProblemHttpResult> Join(AddressRequest request, AdminContext admin) =>
        WithAddress(request, admin, "join", (cluster, address) => cluster.Join(address));

    public static Results<Ok<ClusterCommandResult>, ProblemHttpResult> Leave(AddressRequest request, AdminContext admin) =>
        WithAddress(request, admin, "leave", (cluster, address) => cluster.Leave(address));

    public static Results<Ok<ClusterCommandResult>, ProblemHttpResult> Down(AddressRequest request, AdminContext admin) =>
        WithAddress(request, admin, "down", (cluster, address) => cluster.Down(address));

    public static Ok<ClusterCommandResult> DownUnreachable(AdminContext admin)
    {
        var cluster = Cluster.Get(admin.System);
        var downed = cluster.State.Unreachable.Select(m => m.Address).ToArray();
        foreach (var address in downed)
        {
            cluster.Down(address);
        }

        return TypedResults.Ok(new ClusterCommandResult("down-unreachable", downed.Select(a => a.ToString()).ToArray()));
    }

    /// <summary>
    /// <c>aq cluster tail</c>: newline-delimited JSON, one <see cref="ClusterEventLine"/> per line (current
    /// members first), until the client hangs up or the node stops.
    /// </summary>
    public static async Task Tail(HttpContext context, AdminContext admin, IOptions<JsonOptions> json)
    {
        var channel = Channel.CreateBounded<ClusterEventLine>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest });
        var forwarder = admin.System.ActorOf(ClusterEventsForwarder.Props(channel.Writer));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, admin.NodeStopping);
        context.Response.ContentType = "application/x-ndjson";
        context.Response.Headers.CacheControl = "no-store";
        try
        {
            await context.Response.StartAsync(stop.Token);
            await foreach (var line in channel.Reader.ReadAllAsync(stop.Token))
            {
                await JsonSerializer.SerializeAsync(context.Response.Body, line, json.Value.SerializerOptions, stop.Token);
                await context.Response.Body.WriteAsync("\n"u8.ToArray(), stop.Token);
                await context.Response.Body.FlushAsync(stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // the operator pressed Ctrl+C, or the node is stopping
        }
        finally
        {
            admin.System.Stop(forwarder);
        }
    }

    private static Results<Ok<ClusterCommandResult>, ProblemHttpResult> WithAddress(
        AddressRequest? request, AdminContext admin, string command, Action<Cluster, Address> act)
    {
        Address address;
        try
        {
            address = Address.Parse(request?.Address ?? string.Empty);
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, "bad_address", "Not a cluster member address.",
                "expected akka.tcp://actorquotes@host:port, as 'aq cluster show' lists them");
        }

        if (string.IsNullOrEmpty(address.Host) || address.Port is null)
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, "bad_address", "Not a cluster member address.",
                "expected akka.tcp://actorquotes@host:port, as 'aq cluster show' lists them");
        }

        act(Cluster.Get(admin.System), address);
        return TypedResults.Ok(new ClusterCommandResult(command, [address.ToString()]));
    }
}

public sealed record AddressRequest(string? Address);

/// <summary>What a membership command did, to which addresses (it takes effect asynchronously: see <c>cluster tail</c>).</summary>
public sealed record ClusterCommandResult(string Command, IReadOnlyList<string> Addresses);

public sealed record ClusterView(string Self, string? Leader, IReadOnlyList<MemberView> Members, IReadOnlyList<string> Unreachable)
{
    public static ClusterView Of(Cluster cluster)
    {
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        return new ClusterView(
            cluster.SelfAddress.ToString(),
            state.Leader?.ToString(),
            state.Members.Select(m => new MemberView(m.Address.ToString(), ClusterEventsForwarder.StatusName(m.Status),
                    m.Roles.Order(StringComparer.Ordinal).ToArray(), !unreachable.Contains(m.Address), m.Address == cluster.SelfAddress))
                .ToArray(),
            unreachable.Select(a => a.ToString()).Order(StringComparer.Ordinal).ToArray());
    }
}

public sealed record MemberView(string Address, string Status, IReadOnlyList<string> Roles, bool Reachable, bool IsSelf);
