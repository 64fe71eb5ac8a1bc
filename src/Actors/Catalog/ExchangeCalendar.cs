namespace ActorQuotes.Actors.Catalog;

/// <summary>One continuous trading session in the exchange's local time.</summary>
public sealed record TradingSession(TimeOnly Open, TimeOnly Close);

/// <summary>
/// When an exchange trades: sessions in its own time zone, Monday to Friday. Public holidays are not
/// modelled (an exchange holiday looks like a quiet trading day).
/// </summary>
public sealed record ExchangeCalendar(string Code, string TimeZoneId, IReadOnlyList<TradingSession> Sessions)
{
    /// <summary>Tokyo Stock Exchange: 9:00–11:30 and 12:30–15:30 (closing auction extended to 15:30 in Nov 2024).</summary>
    public static readonly ExchangeCalendar Tse = new("TSE", "Asia/Tokyo",
        [new(new TimeOnly(9, 0), new TimeOnly(11, 30)), new(new TimeOnly(12, 30), new TimeOnly(15, 30))]);

    /// <summary>New York Stock Exchange: 9:30–16:00 New York time, on EST or EDT as the date has it.</summary>
    public static readonly ExchangeCalendar Nyse = new("NYSE", "America/New_York",
        [new(new TimeOnly(9, 30), new TimeOnly(16, 0))]);

    /// <summary>Nasdaq: the same hours as NYSE.</summary>
    public static readonly ExchangeCalendar Nasdaq = new("NASDAQ", "America/New_York",
        [new(new TimeOnly(9, 30), new TimeOnly(16, 0))]);

    public static IReadOnlyList<ExchangeCalendar> All { get; } = [Tse, Nyse, Nasdaq];

    // Get-only, unlike the other positional members: a `with` that changed it would leave TimeZone stale.
    /// <summary>The IANA id of <see cref="TimeZone"/>, e.g. <c>Asia/Tokyo</c>.</summary>
    public string TimeZoneId { get; } = TimeZoneId;

    public TimeZoneInfo TimeZone { get; } = TimeZoneInfo.FindSystemTimeZoneById(TimeZoneId);

    /// <summary>The calendar of an exchange code (case-insensitive), or null when unknown.</summary>
    public static ExchangeCalendar? Find(string? code) =>
        All.FirstOrDefault(e => string.Equals(e.Code, code, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether a session is running at <paramref name="instant"/>: open at the open, closed at the close.</summary>
    public bool IsOpen(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, TimeZone);
        if (!IsTradingDay(DateOnly.FromDateTime(local.DateTime)))
        {
            return false;
        }

        // A loop, not LINQ: the simulated feed asks this for every tick.
        var time = TimeOnly.FromDateTime(local.DateTime);
        foreach (var session in Sessions)
        {
            if (time >= session.Open && time < session.Close)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first session open strictly after <paramref name="instant"/>.</summary>
    public DateTimeOffset NextOpen(DateTimeOffset instant) => NextBoundary(instant, s => s.Open);

    /// <summary>The first session close strictly after <paramref name="instant"/> (the lunch break counts).</summary>
    public DateTimeOffset NextClose(DateTimeOffset instant) => NextBoundary(instant, s => s.Close);

    /// <summary>
    /// The end of the trading day (last session's close) strictly after <paramref name="instant"/>: when
    /// a ticker rolls its previous close.
    /// </summary>
    public DateTimeOffset NextDayClose(DateTimeOffset instant)
    {
        var last = Sessions[^1];
        return NextBoundary(instant, s => ReferenceEquals(s, last) ? s.Close : null);
    }

    private DateTimeOffset NextBoundary(DateTimeOffset instant, Func<TradingSession, TimeOnly?> pick)
    {
        var localDate = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, TimeZone).DateTime);
        for (var day = localDate.AddDays(-1); day <= localDate.AddDays(10); day = day.AddDays(1))
        {
            if (!IsTradingDay(day))
            {
                continue;
            }

            foreach (var session in Sessions)
            {
                if (pick(session) is not { } time)
                {
                    continue;
                }

                var candidate = ToInstant(day, time);
                if (candidate > instant)
                {
                    return candidate;
                }
            }
        }

        throw new InvalidOperationException($"{Code} has no session in the next ten days.");
    }

    private DateTimeOffset ToInstant(DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, TimeZone.GetUtcOffset(local));
    }

    private static bool IsTradingDay(DateOnly day) => day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
}
