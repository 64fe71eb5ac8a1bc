using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace ActorQuotes.Gateway.Hosting;

/// <summary>
/// Serves the browser client: the Vite build of <c>web/</c>, which the project copies to <c>wwwroot/</c>
/// beside the binary (see Gateway.csproj and docs/web.md).
/// </summary>
public static class WebClientSetup
{
    /// <summary>Path prefixes that belong to the server, never to the client's pages.</summary>
    private static readonly PathString[] ServerPrefixes = [new("/api"), new("/health"), new("/admin"), new("/metrics")];

    /// <summary>
    /// <c>/</c> and the client's files from the web root; any other GET of a page path that no endpoint
    /// matched (<c>/watchlists/3</c> after a reload) gets <c>index.html</c>, so the client can route it.
    /// Paths under <c>/api</c>, <c>/health</c>, <c>/admin</c> and <c>/metrics</c> (the last two live only on the
    /// admin port, and the public one must answer 404 for them) and paths of files (a dot in the last segment) are left
    /// alone and keep their 404 problem details; a known route with another verb keeps its 405.
    /// </summary>
    public static WebApplication UseWebClient(this WebApplication app)
    {
        var files = app.Environment.WebRootFileProvider;
        var index = files.GetFileInfo("index.html");
        if (!index.Exists)
        {
            app.Logger.LogWarning(
                "The web client is not built: no index.html in {WebRoot}; / answers 404. Build the gateway with Node.js installed (docs/web.md).",
                app.Environment.WebRootPath ?? Path.Combine(app.Environment.ContentRootPath, "wwwroot"));
            return app;
        }

        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl =
                // Vite names bundles by content hash; index.html must be asked for again to find new ones.
                context.Context.Request.Path.StartsWithSegments("/assets", StringComparison.Ordinal)
                    ? "public, max-age=31536000, immutable"
                    : "no-cache",
        });
        app.Use((context, next) =>
        {
            var page = IsClientPage(context) ? files.GetFileInfo("index.html") : null;
            return page is { Exists: true } ? SendIndexAsync(context, page) : next(context);
        });
        return app;
    }

    private static bool IsClientPage(HttpContext context)
    {
        if (context.GetEndpoint() is not null)
        {
            return false;
        }

        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            return false;
        }

        var path = request.Path;
        foreach (var prefix in ServerPrefixes)
        {
            if (path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        var value = path.Value ?? "/";
        var lastSegment = value[(value.LastIndexOf('/') + 1)..];
        return !lastSegment.Contains('.', StringComparison.Ordinal);
    }

    private static Task SendIndexAsync(HttpContext context, IFileInfo index)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers[HeaderNames.CacheControl] = "no-cache";
        context.Response.ContentLength = index.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.SendFileAsync(index);
    }
}
