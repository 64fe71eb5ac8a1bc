using System.Collections.Immutable;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Accounts;
using ActorQuotes.Contracts.Feeds;
using ActorQuotes.Contracts.Ids;
using ActorQuotes.Contracts.Serialization;
using ActorQuotes.Contracts.Tickers;
using ActorQuotes.Contracts.Watchlists;
using Akka.Serialization;

namespace ActorQuotes.Actors.Tests;

public sealed class SerializationTests(ITestOutputHelper output) : ActorQuotesTestKit(output)
{
    private static readonly DateTimeOffset At = new(2026, 11, 29, 12, 34, 56, 789, TimeSpan.Zero);

    /// <summary>One sample of every type with a manifest; a new type without a sample fails the suite.</summary>
    public static readonly IReadOnlyList<IActorQuotesMessage> Samples =
    [
        StopEntity.Instance,
        new Position("7203", 100, 2500),
        new CreateWatchlist(1, 2, "Core"),
        new UpsertPosition(1, 2, "7203", 100.5, 2500.25) { IdempotencyKey = "key-put" },
        new RemovePosition(1, 2, "AAPL") { IdempotencyKey = "key-remove" },
        new DeleteWatchlist(1, 2) { IdempotencyKey = "key-delete" },
        new RenameWatchlist(1, 2, "Renamed") { IdempotencyKey = "key-rename" },
        new WatchlistRenamed("Renamed", At),
        new WatchlistSnapshot(1, 2, "Core", [new Position("7203", 100, 2500)], true, false, 100)
        {
            IdempotencyKeys = [new KeyedWriteResult("key-put", "put-stock 7203 100 2500", false, "Core", [new Position("7203", 100, 2500)], 100)],
        },
        new AbandonWatchlist(1, 2),
        new WatchlistAbandonedReply(1),
        new WatchlistAbandoned(At),
        new GetWatchlist(1, 2),
        new WatchlistView(1, 2, "Core", [new Position("7203", 100, 2500), new Position("AAPL", 1, 199.99)], 3),
        new WatchlistDeletedReply(1),
        new WatchlistCommandRejected(1, WatchlistRejection.StockNotFound, "'7203' is not in this watchlist"),
        new WatchlistChanged(new WatchlistView(1, 2, "トヨタ", [new Position("7203", 1, 1)], 4)),
        new WatchlistGone(1),
        new WatchlistCreated(1, 2, "Core", At),
        new StockAdded("7203", 100, 2500, At) { IdempotencyKey = "key-put", Request = "put-stock 7203 100 2500" },
        new PositionChanged("7203", 200, 2400, At),
        new StockRemoved("7203", At),
        new WatchlistDeleted(At),
        new RegisterAccount("alice", 1, "pbkdf2-sha512$210000$c2FsdA==$aGFzaA==", "key-1"),
        new BeginLogin("alice"),
        new RecordLoginResult("alice", false),
        new LoginLockedOut("alice", At),
        new CheckToken("alice", "0A1B"),
        new RevokeToken("alice", "0A1B", At) { IdempotencyKey = "key-logout" },
        new TokenRevocationRecorded("alice", "0A1B"),
        new TokenRevokedNotice("alice", "0A1B") { ExpiresAt = At.AddHours(1) },
        new WatchlistLinkResult("alice", 5, true),
        new TokenRevoked("0A1B", At.AddHours(1), At) { IdempotencyKey = "key-logout" },
        new LoginFailed(At),
        new LoginFailuresCleared(At),
        new AccountSnapshot("alice", 1, "hash", "key-1", [5], ImmutableDictionary<string, long>.Empty.Add("k", 5),
            ImmutableDictionary<string, DateTimeOffset>.Empty.Add("0A1B", At), true)
        {
            LogoutKeys = ImmutableDictionary<string, string>.Empty.Add("key-logout", "0A1B"),
            LoginFailures = 5,
            LoginLockedUntil = At.AddSeconds(30),
            LinkedAt = ImmutableDictionary<long, DateTimeOffset>.Empty.Add(5, At),
        },
        new GetStaleWatchlistLinks("alice", TimeSpan.FromMinutes(1)),
        new ReleaseWatchlistLinks("alice", [5, 6]),
        new GetAccountCredentials("alice"),
        new LinkWatchlist("alice", 5, "key-2"),
        new UnlinkWatchlist("alice", 5),
        new GetAccountWatchlists("alice"),
        new AccountView(1, "alice"),
        new AccountCredentials(1, "alice", "pbkdf2-sha512$210000$c2FsdA==$aGFzaA==", "key-1"),
        new AccountWatchlists("alice", [5, 6]),
        new AccountCommandRejected("alice", AccountRejection.LimitReached, "too many"),
        new AccountRegistered(1, "alice", "pbkdf2-sha512$210000$c2FsdA==$aGFzaA==", At) { RegistrationKey = "key-1" },
        new WatchlistLinked(5, At) { IdempotencyKey = "key-2" },
        new WatchlistUnlinked(5, At),
        new AllocateId(IdSequences.Watchlists),
        new IdAllocated(IdSequences.Watchlists, 42),
        new IdReserved(42),
        new IdSequenceSnapshot(100),
        new Tick("7203", 2650.5, 1200, At),
        new GetQuote("7203"),
        new ResetTicker("7203"),
        new Quote("7203", 2650.5, 2600, At, 17),
        new QuoteUnavailable("NOPE"),
        new IngestTick("AAPL", 271.25, 300, At),
        new TickAccepted("AAPL", 18),
        new TickRejected("AAPL", TickRejection.OutsideBand),
        new GetTickerStats("AAPL"),
        new TickerStats("AAPL", new Quote("AAPL", 271.25, 270, At, 18) { Open = 270.5, DayHigh = 272, DayLow = 269.9, Volume = 12_300 }, 18,
            ImmutableDictionary<TickRejection, long>.Empty.Add(TickRejection.OutOfOrder, 2))
        {
            LastRejected = new RejectedTick(TickRejection.OutOfOrder, 271, At.AddSeconds(-1), At),
        },
        new TickerSnapshot(new Quote("7203", 2650, 2600, At, 40) { Open = 2610, DayHigh = 2660, DayLow = 2600, Volume = 5000 }, At.AddHours(3))
        {
            ReservedThrough = 1040,
        },
        new QuoteSequencesReserved(2040),
        PauseFeed.Instance,
        ResumeFeed.Instance,
        GetFeedStatus.Instance,
        new FeedStatus("simulated", true, 1234),
    ];

    /// <summary>
    /// What a stored payload means today where its type has grown since the fixture was written
    /// (fields added later read as their defaults); every other fixture means its sample.
    /// </summary>
    private static readonly Dictionary<string, IActorQuotesMessage> FixtureMeanings = new()
    {
        ["aq.acct.register"] = new RegisterAccount("alice", 1, "pbkdf2-sha512$210000$c2FsdA==$aGFzaA=="),
        ["aq.acct.credentials"] = new AccountCredentials(1, "alice", "pbkdf2-sha512$210000$c2FsdA==$aGFzaA=="),
        ["aq.acct.link-watchlist"] = new LinkWatchlist("alice", 5),
        ["aq.acct.token-revoked-notice"] = new TokenRevokedNotice("alice", "0A1B"),
        ["aq.acct.ev.registered"] = new AccountRegistered(1, "alice", "pbkdf2-sha512$210000$c2FsdA==$aGFzaA==", At),
        ["aq.acct.ev.watchlist-linked"] = new WatchlistLinked(5, At),
        // Idempotency-Keys on watchlist writes and logouts came later: older payloads carry none.
        ["aq.wl.upsert-position"] = new UpsertPosition(1, 2, "7203", 100.5, 2500.25),
        ["aq.wl.remove-position"] = new RemovePosition(1, 2, "AAPL"),
        ["aq.wl.delete"] = new DeleteWatchlist(1, 2),
        ["aq.wl.rename"] = new RenameWatchlist(1, 2, "Renamed"),
        ["aq.wl.snapshot"] = new WatchlistSnapshot(1, 2, "Core", [new Position("7203", 100, 2500)], true, false, 100),
        ["aq.wl.ev.stock-added"] = new StockAdded("7203", 100, 2500, At),
        ["aq.acct.revoke-token"] = new RevokeToken("alice", "0A1B", At),
        ["aq.acct.ev.token-revoked"] = new TokenRevoked("0A1B", At.AddHours(1), At),
        ["aq.acct.snapshot"] = new AccountSnapshot("alice", 1, "hash", "key-1", [5], ImmutableDictionary<string, long>.Empty.Add("k", 5),
            ImmutableDictionary<string, DateTimeOffset>.Empty.Add("0A1B", At), true),
        ["aq.tk.snapshot"] = new TickerSnapshot(new Quote("7203", 2650, 2600, At, 40) { Open = 2610, DayHigh = 2660, DayLow = 2600, Volume = 5000 }, At.AddHours(3)),
        ["aq.tk.stats"] = new TickerStats("AAPL", new Quote("AAPL", 271.25, 270, At, 18) { Open = 270.5, DayHigh = 272, DayLow = 269.9, Volume = 12_300 }, 18,
            ImmutableDictionary<TickRejection, long>.Empty.Add(TickRejection.OutOfOrder, 2)),
    };

    // One actor system checks every manifest (a theory row each would start 37 systems).
    [Fact(DisplayName = "Every persisted or remoted type round-trips through the configured serializer")]
    public void Every_type_round_trips()
    {
        foreach (var manifest in ActorQuotesSerializer.Manifests.Values.Order())
        {
            Round_trips(manifest);
        }
    }

    [Fact(DisplayName = "Payloads stored by earlier versions still load (fixtures in Fixtures/)")]
    public void Every_old_payload_loads()
    {
        foreach (var manifest in ActorQuotesSerializer.Manifests.Values.Order())
        {
            Old_payloads_load(manifest);
        }
    }

    private void Round_trips(string manifest)
    {
        var sample = Samples.SingleOrDefault(s => ActorQuotesSerializer.Manifests[s.GetType()] == manifest);
        Assert.True(sample is not null, $"No sample for manifest '{manifest}': add one to {nameof(Samples)}.");

        var serializer = Sys.Serialization.FindSerializerFor(sample);
        Assert.IsType<ActorQuotesSerializer>(serializer);
        var bytes = serializer.ToBinary(sample);
        var back = Sys.Serialization.Deserialize(bytes, serializer.Identifier, Serialization.ManifestFor(serializer, sample));

        Assert.True(sample.GetType() == back.GetType(), manifest);
        Assert.True(bytes.AsSpan().SequenceEqual(serializer.ToBinary(back)), $"'{manifest}' changed in a round trip"); // the same state, field for field
        if (sample is not WatchlistView and not WatchlistChanged and not AccountWatchlists and not ReleaseWatchlistLinks and not WatchlistSnapshot and not AccountSnapshot and not TickerStats)
        {
            Assert.Equal(sample, back); // records with immutable lists compare by reference, hence the line above
        }
    }

    private void Old_payloads_load(string manifest)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", manifest + ".json");
        Assert.True(File.Exists(path), $"No stored payload for '{manifest}'. Shipped manifests need one: {path}");

        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerForType(typeof(Quote));
        var loaded = serializer.FromBinary(File.ReadAllBytes(path), manifest);
        var expected = FixtureMeanings.GetValueOrDefault(manifest)
                       ?? Samples.Single(s => ActorQuotesSerializer.Manifests[s.GetType()] == manifest);

        Assert.True(serializer.ToBinary(expected).AsSpan().SequenceEqual(serializer.ToBinary(loaded)),
            $"The stored '{manifest}' payload no longer loads to the same state");
    }

    [Fact(DisplayName = "An unknown manifest is refused with a clear error")]
    public void Unknown_manifest()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerForType(typeof(Quote));

        var error = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary("{}"u8.ToArray(), "aq.nope"));
        Assert.Contains("aq.nope", error.Message);
    }
}
