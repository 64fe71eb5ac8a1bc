using ActorQuotes.Gateway.Observability;

namespace ActorQuotes.Gateway.Admin;

/// <summary>
/// The admin API under <c>/admin/v1</c> (what <c>aq</c> calls) and <c>/metrics</c>. Served only by
/// <see cref="AdminServer"/> on the admin port, behind <see cref="AdminKeyCheck"/>. Answers are JSON in
/// snake_case; errors are problem details with a stable <c>code</c>.
/// </summary>
public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin/v1");

        admin.MapGet("/cluster", ClusterAdmin.Show);
        admin.MapPost("/cluster/join", ClusterAdmin.Join);
        admin.MapPost("/cluster/leave", ClusterAdmin.Leave);
        admin.MapPost("/cluster/down", ClusterAdmin.Down);
        admin.MapPost("/cluster/down-unreachable", ClusterAdmin.DownUnreachable);
        admin.MapGet("/cluster/events", ClusterAdmin.Tail);

        admin.MapGet("/sharding/regions", ShardingAdmin.Regions);
        admin.MapGet("/sharding/regions/{type}/stats", ShardingAdmin.RegionStats);
        admin.MapGet("/sharding/regions/{type}/shards", ShardingAdmin.ShardStats);
        admin.MapGet("/sharding/regions/{type}/entities/{entityId}", ShardingAdmin.Locate);

        admin.MapGet("/actors", NodeAdmin.Hierarchy);
        admin.MapGet("/tickers", NodeAdmin.TickerStats);
        admin.MapGet("/tickers/{symbol}", NodeAdmin.Ticker);
        admin.MapPost("/tickers/{symbol}/reset", NodeAdmin.ResetTicker);
        admin.MapGet("/feeds", NodeAdmin.Feeds);
        admin.MapPost("/feeds/{action}", NodeAdmin.SteerFeeds);
        admin.MapGet("/sessions", NodeAdmin.ListSessions);
        admin.MapPost("/sessions/{id}/kick", NodeAdmin.Kick);
        admin.MapGet("/watchlists/{id:long}", NodeAdmin.Watchlist);

        app.MapGet("/metrics", (HttpContext context, AdminContext admin) => PrometheusExposition.Write(context, admin));
        return app;
    }
}
