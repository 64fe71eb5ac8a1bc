using ActorQuotes.Actors.Catalog;
using ActorQuotes.Contracts.Feeds;
using ActorQuotes.Contracts.Tickers;
using Akka.Actor;

namespace ActorQuotes.Actors.Feeds;

/// <summary>
/// A seedable random walk over the catalog (or the configured symbols): every interval it sends the
/// ticks due to the ticker region. Prices move in the company's increment (one yen, one cent) and never
/// below one increment. The same seed and options give the same sequence of ticks.
/// </summary>
public sealed class SimulatedFeedActor : ReceiveActor, IWithTimers
{
    private readonly Company[] _companies;
    private readonly double[] _prices;
    private readonly ExchangeCalendar?[] _calendars;
    private readonly IActorRef _tickers;
    private readonly SimulatedFeedOptions _options;
    private readonly TimeProvider _clock;
    private readonly Random _random;
    private double _owed;
    private bool _paused;
    private long _sent;

    public SimulatedFeedActor(CompanyCatalog catalog, IActorRef tickers, SimulatedFeedOptions options, TimeProvider clock)
    {
        _companies = options.Symbols.Length == 0
            ? catalog.All.ToArray()
            : options.Symbols.Select(s => catalog.Find(s) ?? throw new ArgumentException($"Feeds:Simulated:Symbols: '{s}' is not in the catalog.", nameof(options))).ToArray();
        _calendars = _companies.Select(c => ExchangeCalendar.Find(c.Exchange)).ToArray();
        _prices = _companies.Select(c => c.PreviousClose).ToArray();
        _tickers = tickers;
        _options = options;
        _clock = clock;
        _random = new Random(options.Seed);

        Receive<Emit>(_ =>
        {
            if (!_paused)
            {
                EmitDue();
            }
        });
        Receive<PauseFeed>(_ =>
        {
            _paused = true;
            _owed = 0; // ticks not sent while paused are not owed afterwards
            Sender.Tell(Status());
        });
        Receive<ResumeFeed>(_ =>
        {
            _paused = false;
            Sender.Tell(Status());
        });
        Receive<GetFeedStatus>(_ => Sender.Tell(Status()));
        Receive<Quote>(quote =>
        {
            // Walk on from where each ticker is (it may have resumed from a snapshot), not the catalog.
            var i = Array.FindIndex(_companies, c => c.TickerSymbol == quote.Symbol);
            if (i >= 0 && quote.Sequence > 0)
            {
                _prices[i] = quote.Price;
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(CompanyCatalog catalog, IActorRef tickers, SimulatedFeedOptions options, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new SimulatedFeedActor(catalog, tickers, options, clock));

    protected override void PreStart()
    {
        foreach (var company in _companies)
        {
            _tickers.Tell(new GetQuote(company.TickerSymbol));
        }

        Timers.StartPeriodicTimer("emit", Emit.Instance, TimeSpan.Zero, _options.Interval);
    }

    private void EmitDue()
    {
        _owed += _options.TicksPerSecond * _options.Interval.TotalSeconds;
        var now = _clock.GetUtcNow();
        while (_owed >= 1)
        {
            _owed--;
            var i = _random.Next(_companies.Length);
            var company = _companies[i];
            if (!_options.AroundTheClock && _calendars[i]?.IsOpen(now) != true)
            {
                continue; // its market is closed: this tick is not owed
            }

            var step = Math.Exp(_options.Volatility * NextGaussian());
            var increment = company.PriceIncrement;
            var price = Math.Max(increment, Math.Round(_prices[i] * step / increment) * increment);
            price = Math.Round(price, 2);
            _prices[i] = price;
            _tickers.Tell(new Tick(company.TickerSymbol, price, _random.Next(1, 50) * 100, now));
            _sent++;
        }
    }

    private FeedStatus Status() => new("simulated", _paused, _sent);

    private double NextGaussian()
    {
        // Box–Muller; one of the pair is enough at these rates.
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private sealed class Emit
    {
        public static readonly Emit Instance = new();
    }
}
