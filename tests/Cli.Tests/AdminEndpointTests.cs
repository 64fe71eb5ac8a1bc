using System.Net;
using ActorQuotes.Gateway.Admin;
using ActorQuotes.Gateway.Tests;
using Microsoft.Extensions.DependencyInjection;

namespace ActorQuotes.Cli.Tests;

/// <summary>The admin endpoint is its own port behind its own key, and only there.</summary>
[Collection(AdminNodeCollection.Name)]
public sealed class AdminEndpointTests(AdminNodeFixture fixture)
{
    private AdminNode Node => fixture.Node;

    [Theory(DisplayName = "The public port does not serve admin routes or /metrics, even with the key")]
    [InlineData("/admin/v1/cluster")]
    [InlineData("/admin/v1/sessions")]
    [InlineData("/metrics")]
    public async Task Public_port_has_no_admin_routes(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(AdminKeyCheck.HeaderName, AdminNodeFixture.Key);

        var response = await Node.Host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.NotEqual(Node.Host.BaseAddress.Port, Node.AdminUri.Port);
    }

    [Theory(DisplayName = "The admin port takes the key as a bearer token or X-Admin-Key, and answers anything else 401 unauthorized")]
    [InlineData("Authorization", "Bearer " + AdminNodeFixture.Key, HttpStatusCode.OK)]
    [InlineData(AdminKeyCheck.HeaderName, AdminNodeFixture.Key, HttpStatusCode.OK)]
    [InlineData("Authorization", "Bearer " + AdminNodeFixture.Key + "x", HttpStatusCode.Unauthorized)]
    [InlineData(AdminKeyCheck.HeaderName, "test-admin-key", HttpStatusCode.Unauthorized)]
    [InlineData("Authorization", "Basic dGVzdDp0ZXN0", HttpStatusCode.Unauthorized)]
    [InlineData(null, null, HttpStatusCode.Unauthorized)]
    public async Task Admin_key(string? header, string? value, HttpStatusCode expected)
    {
        using var http = new HttpClient { BaseAddress = Node.AdminUri };
        var request = new HttpRequestMessage(HttpMethod.Get, "/admin/v1/cluster");
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        var response = await http.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Unauthorized)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.Contains("\"code\":\"unauthorized\"", body);
            Assert.DoesNotContain(AdminNodeFixture.Key, body);
        }
    }

    [Fact(DisplayName = "Without Admin:Key the admin endpoint is off: no admin port is bound")]
    public async Task Off_without_a_key()
    {
        await using var host = await GatewayHost.StartAsync(null, "--Feeds:Simulated:Enabled=false");

        Assert.Null(host.Services.GetRequiredService<AdminServer>().Address);
    }
}
