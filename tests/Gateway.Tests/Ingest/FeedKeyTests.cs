using ActorQuotes.Gateway.Hosting;
using ActorQuotes.Gateway.Ingest;
using Microsoft.AspNetCore.Http;

namespace ActorQuotes.Gateway.Tests.Ingest;

public sealed class FeedKeyTests
{
    private static readonly IngestOptions TwoKeys = new() { ApiKeys = ["feed-key-one", "second-feed-key"] };

    [Theory(DisplayName = "Only a configured key matches, exactly: not a prefix, an extension, another case or nothing")]
    [InlineData("feed-key-one", true)]
    [InlineData("second-feed-key", true)]
    [InlineData("feed-key-on", false)]
    [InlineData("feed-key-oneX", false)]
    [InlineData("FEED-KEY-ONE", false)]
    [InlineData(" feed-key-one", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Matches_configured_keys(string? presented, bool valid)
    {
        Assert.Equal(valid, FeedKey.IsValid(presented, TwoKeys));
    }

    [Fact(DisplayName = "With no key configured nothing matches, not even an empty key")]
    public void No_keys_no_match()
    {
        var none = new IngestOptions();

        Assert.False(FeedKey.IsValid("feed-key-one", none));
        Assert.False(FeedKey.IsValid("", none));
    }

    [Fact(DisplayName = "The key comes from X-Feed-Key, else from ?key=; sent twice it counts as not sent")]
    public void Reads_header_then_query()
    {
        Assert.Equal("from-header", FeedKey.FromHeaderOrQuery(Request(["from-header"], "?key=from-query")));
        Assert.Equal("from-query", FeedKey.FromHeaderOrQuery(Request([], "?key=from-query")));
        Assert.Equal("from-query", FeedKey.FromHeaderOrQuery(Request(["a", "b"], "?key=from-query")));
        Assert.Null(FeedKey.FromHeaderOrQuery(Request([], "?key=a&key=b")));
        Assert.Null(FeedKey.FromHeader(Request([], "?key=from-query")));
        Assert.Null(FeedKey.FromHeader(Request(["a", "b"], "")));
    }

    private static HttpRequest Request(string[] headers, string query)
    {
        var context = new DefaultHttpContext();
        if (headers.Length > 0)
        {
            context.Request.Headers[FeedKey.HeaderName] = headers;
        }

        context.Request.QueryString = new QueryString(query);
        return context.Request;
    }
}
