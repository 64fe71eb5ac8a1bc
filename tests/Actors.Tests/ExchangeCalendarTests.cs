using System.Globalization;
using ActorQuotes.Actors.Catalog;

namespace ActorQuotes.Actors.Tests;

/// <summary>
/// Fixed instants only. The week of 2 March 2026: Wednesday the 4th is a plain trading day, Friday the 6th is
/// the last day of US standard time, and New York moves to daylight time on Sunday the 8th.
/// </summary>
public sealed class ExchangeCalendarTests
{
    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    /// <summary>Round-trip text, so both the instant and the offset it is expressed in are checked.</summary>
    private static string Text(DateTimeOffset instant) => instant.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);

    [Theory(DisplayName = "Tokyo opens at 9:00, breaks for lunch from 11:30 to 12:30 and closes at 15:30")]
    [InlineData("2026-03-04T08:59:59+09:00", false)]
    [InlineData("2026-03-04T09:00:00+09:00", true)]
    [InlineData("2026-03-04T11:29:59+09:00", true)]
    [InlineData("2026-03-04T11:30:00+09:00", false)]
    [InlineData("2026-03-04T12:00:00+09:00", false)]
    [InlineData("2026-03-04T12:29:59+09:00", false)]
    [InlineData("2026-03-04T12:30:00+09:00", true)]
    [InlineData("2026-03-04T15:29:59+09:00", true)]
    [InlineData("2026-03-04T15:30:00+09:00", false)]
    [InlineData("2026-03-04T00:00:00Z", true)] // 9:00 in Tokyo
    [InlineData("2026-03-04T06:30:00Z", false)] // 15:30 in Tokyo
    public void Tokyo_session_boundaries(string instant, bool open) =>
        Assert.Equal(open, ExchangeCalendar.Tse.IsOpen(At(instant)));

    [Theory(DisplayName = "No exchange trades on a Saturday or a Sunday in its own time zone")]
    [InlineData("TSE", "2026-03-07T10:00:00+09:00")]
    [InlineData("TSE", "2026-03-08T13:00:00+09:00")]
    [InlineData("NYSE", "2026-03-07T11:00:00-05:00")]
    [InlineData("NASDAQ", "2026-03-08T11:00:00-04:00")]
    [InlineData("TSE", "2026-03-06T10:00:00-05:00")] // a Friday morning in New York is Saturday midnight in Tokyo
    public void Weekends_are_closed(string exchange, string instant) =>
        Assert.False(ExchangeCalendar.Find(exchange)!.IsOpen(At(instant)));

    [Fact(DisplayName = "Monday morning in Tokyo trades although it is still Sunday in UTC")]
    public void Tokyo_monday_is_sunday_in_utc() =>
        Assert.True(ExchangeCalendar.Tse.IsOpen(At("2026-03-09T00:30:00Z")));

    [Fact(DisplayName = "After Friday's close the next Tokyo open is Monday 9:00 and the next close Monday 11:30")]
    public void Tokyo_next_open_over_the_weekend()
    {
        var fridayEvening = At("2026-03-06T18:00:00+09:00");

        Assert.False(ExchangeCalendar.Tse.IsOpen(fridayEvening));
        Assert.Equal("2026-03-09T09:00:00+09:00", Text(ExchangeCalendar.Tse.NextOpen(fridayEvening)));
        Assert.Equal("2026-03-09T11:30:00+09:00", Text(ExchangeCalendar.Tse.NextClose(fridayEvening)));
        Assert.Equal("2026-03-09T09:00:00+09:00", Text(ExchangeCalendar.Tse.NextOpen(At("2026-03-08T12:00:00+09:00"))));
    }

    [Theory(DisplayName = "NextOpen and NextClose in Tokyo count the lunch break: each is the first boundary strictly after the instant")]
    [InlineData("2026-03-04T08:00:00+09:00", "2026-03-04T09:00:00+09:00", "2026-03-04T11:30:00+09:00")]
    [InlineData("2026-03-04T09:00:00+09:00", "2026-03-04T12:30:00+09:00", "2026-03-04T11:30:00+09:00")]
    [InlineData("2026-03-04T10:00:00+09:00", "2026-03-04T12:30:00+09:00", "2026-03-04T11:30:00+09:00")]
    [InlineData("2026-03-04T11:30:00+09:00", "2026-03-04T12:30:00+09:00", "2026-03-04T15:30:00+09:00")]
    [InlineData("2026-03-04T12:00:00+09:00", "2026-03-04T12:30:00+09:00", "2026-03-04T15:30:00+09:00")]
    [InlineData("2026-03-04T12:30:00+09:00", "2026-03-05T09:00:00+09:00", "2026-03-04T15:30:00+09:00")]
    [InlineData("2026-03-04T15:30:00+09:00", "2026-03-05T09:00:00+09:00", "2026-03-05T11:30:00+09:00")]
    public void Tokyo_next_open_and_close(string instant, string nextOpen, string nextClose)
    {
        Assert.Equal(nextOpen, Text(ExchangeCalendar.Tse.NextOpen(At(instant))));
        Assert.Equal(nextClose, Text(ExchangeCalendar.Tse.NextClose(At(instant))));
    }

    [Theory(DisplayName = "NextDayClose is the last close of the trading day, skipping the lunch close and the weekend")]
    [InlineData("2026-03-04T10:00:00+09:00", "2026-03-04T15:30:00+09:00")]
    [InlineData("2026-03-04T12:00:00+09:00", "2026-03-04T15:30:00+09:00")]
    [InlineData("2026-03-04T15:29:59+09:00", "2026-03-04T15:30:00+09:00")]
    [InlineData("2026-03-04T15:30:00+09:00", "2026-03-05T15:30:00+09:00")]
    [InlineData("2026-03-06T16:00:00+09:00", "2026-03-09T15:30:00+09:00")]
    public void Tokyo_next_day_close(string instant, string expected) =>
        Assert.Equal(expected, Text(ExchangeCalendar.Tse.NextDayClose(At(instant))));

    [Theory(DisplayName = "New York opens at 9:30 local time on both sides of the March change to daylight time")]
    [InlineData("2026-03-06T14:29:59Z", false)] // Friday 9:29:59 EST
    [InlineData("2026-03-06T14:30:00Z", true)] // Friday 9:30 EST
    [InlineData("2026-03-06T20:59:59Z", true)] // Friday 15:59:59 EST
    [InlineData("2026-03-06T21:00:00Z", false)] // Friday 16:00 EST
    [InlineData("2026-03-09T13:29:59Z", false)] // Monday 9:29:59 EDT
    [InlineData("2026-03-09T13:30:00Z", true)] // Monday 9:30 EDT
    [InlineData("2026-03-09T19:59:59Z", true)] // Monday 15:59:59 EDT
    [InlineData("2026-03-09T20:00:00Z", false)] // Monday 16:00 EDT
    public void New_york_across_march_dst(string instant, bool open)
    {
        Assert.Equal(open, ExchangeCalendar.Nyse.IsOpen(At(instant)));
        Assert.Equal(open, ExchangeCalendar.Nasdaq.IsOpen(At(instant)));
    }

    [Fact(DisplayName = "From Friday evening before the March change, New York next opens Monday 9:30 EDT (13:30 UTC, not 14:30)")]
    public void New_york_friday_evening_to_monday_open_across_dst()
    {
        var fridayEvening = At("2026-03-06T18:00:00-05:00");

        var open = ExchangeCalendar.Nyse.NextOpen(fridayEvening);
        var close = ExchangeCalendar.Nyse.NextClose(fridayEvening);
        var dayClose = ExchangeCalendar.Nasdaq.NextDayClose(fridayEvening);

        Assert.Equal("2026-03-09T09:30:00-04:00", Text(open));
        Assert.Equal(new DateTime(2026, 3, 9, 13, 30, 0, DateTimeKind.Utc), open.UtcDateTime);
        Assert.Equal("2026-03-09T16:00:00-04:00", Text(close));
        Assert.Equal("2026-03-09T16:00:00-04:00", Text(dayClose));
    }

    [Fact(DisplayName = "From Friday evening before the November change, New York next opens Monday 9:30 EST (14:30 UTC)")]
    public void New_york_friday_evening_to_monday_open_across_november_change()
    {
        var open = ExchangeCalendar.Nyse.NextOpen(At("2026-10-30T17:00:00-04:00"));

        Assert.Equal("2026-11-02T09:30:00-05:00", Text(open));
        Assert.Equal(new DateTime(2026, 11, 2, 14, 30, 0, DateTimeKind.Utc), open.UtcDateTime);
    }

    [Fact(DisplayName = "Exchange codes are found without case; an unknown code is null")]
    public void Find_by_code()
    {
        Assert.Same(ExchangeCalendar.Tse, ExchangeCalendar.Find("tse"));
        Assert.Same(ExchangeCalendar.Nasdaq, ExchangeCalendar.Find("NASDAQ"));
        Assert.Null(ExchangeCalendar.Find("LSE"));
        Assert.Null(ExchangeCalendar.Find(null));
        Assert.Equal(["TSE", "NYSE", "NASDAQ"], ExchangeCalendar.All.Select(e => e.Code));
    }

    [Fact(DisplayName = "A company's calendar follows its exchange code; an unknown code throws, naming the company and the code")]
    public void Company_calendar()
    {
        var catalog = CompanyCatalog.LoadEmbedded();
        var stray = new Company(99, "XLON", "Stray plc", "LSE", "GBP", 1);

        Assert.Same(ExchangeCalendar.Tse, catalog.Find("7203")!.Calendar);
        Assert.Same(ExchangeCalendar.Nasdaq, catalog.Find("AAPL")!.Calendar);
        Assert.Same(ExchangeCalendar.Nyse, catalog.Find("JPM")!.Calendar);
        Assert.All(catalog.All, c => Assert.Equal(c.Exchange, c.Calendar.Code));
        var error = Assert.Throws<InvalidOperationException>(() => stray.Calendar);
        Assert.Equal(
            "Company 99 (XLON) lists on exchange 'LSE', which has no trading calendar; known exchanges: TSE, NYSE, NASDAQ.",
            error.Message);
        Assert.Equal(
            "Company { CompanyId = 99, TickerSymbol = XLON, CompanyName = Stray plc, Exchange = LSE, Currency = GBP, PreviousClose = 1 }",
            stray.ToString());
    }
}
