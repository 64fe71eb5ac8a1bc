using System.Buffers;
using ActorQuotes.Actors.Catalog;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Accounts;
using ActorQuotes.Contracts.Frames;
using ActorQuotes.Contracts.Sessions;
using ActorQuotes.Contracts.Tickers;
using ActorQuotes.Contracts.Watchlists;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;

namespace ActorQuotes.Actors.Sessions;

/// <summary>
/// One per watchlist WebSocket. Loads the watchlist (as its owner), subscribes to the quote topic of each
/// of its symbols and to the watchlist's own topic, and writes <c>price_update</c> frames to its
/// <see cref="IFrameSink"/>: the first as soon as every stock has a quote, then at most one per
/// <see cref="StreamingOptions.FrameInterval"/> when prices move, and at least one per
/// <see cref="StreamingOptions.MaxSilence"/>. Quotes arriving between frames are conflated.
/// A missing or foreign watchlist ends the stream with an error frame and close code 4404.
/// </summary>
public sealed class WatchlistSessionActor : ReceiveActor, IWithTimers
{
    private readonly long _watchlistId;
    private readonly SessionUser _user;
    private readonly IFrameSink _sink;
    private readonly IActorRef _watchlists;
    private readonly IActorRef _tickers;
    private readonly IActorRef _mediator;
    private readonly CompanyCatalog _catalog;
    private readonly StreamingOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private readonly Dictionary<string, Quote> _quotes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _subscribed = new(StringComparer.Ordinal);
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private StockFrameRow[] _rows = [];
    private WatchlistView? _view;
    private bool _firstFrameSent;
    private bool _firstFrameWaitOver;
    private bool _dirty;
    private bool _inFlight;
    private bool _closing;
    private DateTimeOffset _lastSentAt = DateTimeOffset.MinValue;

    public WatchlistSessionActor(long watchlistId, SessionUser user, IFrameSink sink, SessionServices services)
    {
        _watchlistId = watchlistId;
        _user = user;
        _sink = sink;
        _watchlists = services.Watchlists;
        _tickers = services.Tickers;
        _mediator = services.Mediator;
        _catalog = services.Catalog;
        _options = services.Options;
        _clock = services.Clock;
        Loading();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Frames written so far (for tests and operators).</summary>
    public long FramesSent { get; private set; }

    public static Props Props(long watchlistId, SessionUser user, IFrameSink sink, SessionServices services) =>
        Akka.Actor.Props.Create(() => new WatchlistSessionActor(watchlistId, user, sink, services));

    protected override void PreStart()
    {
        _watchlists.Tell(new GetWatchlist(_watchlistId, _user.UserId));
        Timers.StartSingleTimer("load-timeout", LoadTimedOut.Instance, _options.LoadTimeout);
        // Logout anywhere in the cluster, or the token running out, ends the stream with 4401.
        _mediator.Tell(new Subscribe(Topics.Account(_user.Username), Self));
        var untilExpiry = _user.TokenExpiresAt - _clock.GetUtcNow();
        Timers.StartSingleTimer("token-expiry", TokenExpired.Instance, untilExpiry > TimeSpan.Zero ? untilExpiry : TimeSpan.Zero);
    }

    private void Loading()
    {
        Receive<WatchlistView>(view =>
        {
            Timers.Cancel("load-timeout");
            _view = view;
            _mediator.Tell(new Subscribe(Topics.Watchlist(_watchlistId), Self));
            SubscribeToStocks(view);
            Timers.StartSingleTimer("first-frame-wait", FirstFrameWaitOver.Instance, _options.FirstFrameWait);
            Become(Streaming);
            MaybeSend();
        });
        Receive<WatchlistCommandRejected>(r =>
        {
            if (r.Code == WatchlistRejection.Unavailable)
            {
                CloseWith(CloseCodes.TryAgainLater, CloseCodes.UnavailableCode, "watchlist is unavailable; try again");
            }
            else
            {
                CloseWith(CloseCodes.NotFound, CloseCodes.NotFoundCode, "watchlist not found");
            }
        });
        Receive<SubscribeAck>(_ => { });
        Receive<LoadTimedOut>(_ =>
            CloseWith(CloseCodes.TryAgainLater, CloseCodes.UnavailableCode, "watchlist did not answer; try again"));
        Common();
    }

    private void Streaming()
    {
        Receive<SubscribeAck>(ack =>
        {
            // Ask for the current quote only once subscribed, so no publish can fall between the two.
            if (ack.Subscribe.Topic.StartsWith("quotes.", StringComparison.Ordinal))
            {
                _tickers.Tell(new GetQuote(ack.Subscribe.Topic["quotes.".Length..]));
            }
        });
        Receive<UnsubscribeAck>(_ => { });
        Receive<Quote>(OnQuote);
        Receive<QuoteUnavailable>(_ => { });
        Receive<WatchlistChanged>(changed =>
        {
            if (_view is not null && changed.View.Version <= _view.Version)
            {
                return;
            }

            _view = changed.View;
            SubscribeToStocks(changed.View);
            _dirty = true;
            MaybeSend();
        });
        Receive<WatchlistGone>(_ => CloseWith(CloseCodes.NotFound, CloseCodes.NotFoundCode, "watchlist was deleted"));
        Receive<FirstFrameWaitOver>(_ =>
        {
            _firstFrameWaitOver = true;
            MaybeSend();
        });
        Receive<Flush>(_ => MaybeSend());
        Receive<SilenceOver>(_ =>
        {
            _dirty = true;
            MaybeSend();
        });
        Receive<FrameSent>(_ =>
        {
            _inFlight = false;
            MaybeSend();
        });
        Common();
    }

    private void Common()
    {
        Receive<TokenRevokedNotice>(n => n.TokenId == _user.TokenId, _ =>
            CloseWith(CloseCodes.Unauthorized, CloseCodes.UnauthorizedCode, "logged out"));
        Receive<TokenRevokedNotice>(_ => { });
        Receive<TokenExpired>(_ => CloseWith(CloseCodes.Unauthorized, CloseCodes.UnauthorizedCode, "token expired"));
        Receive<SendFailed>(failed =>
        {
            _log.Debug("Session {0} stops: send failed ({1})", _watchlistId, failed.Cause.Message);
            Context.Stop(Self);
        });
        Receive<Closed>(_ => Context.Stop(Self));
        Receive<SessionStop>(_ => Context.Stop(Self));
    }

    private void OnQuote(Quote quote)
    {
        if (!_subscribed.Contains(quote.Symbol))
        {
            return;
        }

        _quotes.TryGetValue(quote.Symbol, out var current);
        if (!quote.IsNewerThan(current))
        {
            return;
        }

        _quotes[quote.Symbol] = quote;
        _dirty = true;
        MaybeSend();
    }

    private void SubscribeToStocks(WatchlistView view)
    {
        foreach (var position in view.Stocks)
        {
            if (_subscribed.Add(position.TickerSymbol))
            {
                _mediator.Tell(new Subscribe(Topics.Quotes(position.TickerSymbol), Self));
            }
        }

        if (_subscribed.Count == view.Stocks.Count)
        {
            return;
        }

        foreach (var symbol in _subscribed.ToArray())
        {
            if (!view.Stocks.Exists(p => p.TickerSymbol == symbol))
            {
                _subscribed.Remove(symbol);
                _quotes.Remove(symbol);
                _mediator.Tell(new Unsubscribe(Topics.Quotes(symbol), Self));
            }
        }
    }

    private void MaybeSend()
    {
        if (_inFlight || _closing || _view is null)
        {
            return;
        }

        if (!_firstFrameSent)
        {
            if (!_firstFrameWaitOver && _quotes.Count < _view.Stocks.Count)
            {
                return; // the first frame lists every stock with its current quote
            }
        }
        else if (!_dirty)
        {
            return;
        }

        var now = _clock.GetUtcNow();
        var due = _lastSentAt + _options.FrameInterval;
        if (_firstFrameSent && now < due)
        {
            if (!Timers.IsTimerActive("flush"))
            {
                Timers.StartSingleTimer("flush", Flush.Instance, due - now);
            }

            return;
        }

        Send(now);
    }

    private void Send(DateTimeOffset now)
    {
        var view = _view!;
        if (_rows.Length < view.Stocks.Count)
        {
            _rows = new StockFrameRow[Math.Max(view.Stocks.Count, _rows.Length * 2)];
        }

        var count = 0;
        foreach (var position in view.Stocks)
        {
            var company = _catalog.Find(position.TickerSymbol);
            if (company is null)
            {
                continue;
            }

            // Without a quote yet (the ticker did not answer in time) the stock shows its reference close.
            var (price, previousClose) = _quotes.TryGetValue(position.TickerSymbol, out var quote)
                ? (quote.Price, quote.PreviousClose)
                : (company.PreviousClose, company.PreviousClose);
            _rows[count++] = StockFrameRow.Compute(
                company.CompanyId,
                company.TickerSymbol,
                company.CompanyName,
                price,
                previousClose,
                position.Quantity,
                position.PurchasePrice);
        }

        _buffer.ResetWrittenCount();
        FrameWriter.WritePriceUpdate(_buffer, _watchlistId, _rows.AsSpan(0, count), now);

        _inFlight = true;
        _dirty = false;
        _firstFrameSent = true;
        _lastSentAt = now;
        FramesSent++;
        Timers.StartSingleTimer("silence", SilenceOver.Instance, _options.MaxSilence);
        _sink.SendAsync(_buffer.WrittenMemory).PipeTo(
            Self,
            success: () => FrameSent.Instance,
            failure: ex => new SendFailed(ex));
    }

    private void CloseWith(int closeCode, string errorCode, string message)
    {
        if (_closing)
        {
            return;
        }

        _closing = true;
        Timers.CancelAll();
        var sink = _sink;
        var frame = FrameWriter.ErrorFrame(errorCode, message);
        CloseAsync().PipeTo(Self, success: () => Closed.Instance, failure: ex => new SendFailed(ex));

        async Task CloseAsync()
        {
            await sink.SendAsync(frame).ConfigureAwait(false);
            await sink.CloseAsync(closeCode, errorCode).ConfigureAwait(false);
        }
    }

    private sealed class TokenExpired
    {
        public static readonly TokenExpired Instance = new();
    }

    private sealed class LoadTimedOut
    {
        public static readonly LoadTimedOut Instance = new();
    }

    private sealed class FirstFrameWaitOver
    {
        public static readonly FirstFrameWaitOver Instance = new();
    }

    private sealed class Flush
    {
        public static readonly Flush Instance = new();
    }

    private sealed class SilenceOver
    {
        public static readonly SilenceOver Instance = new();
    }

    private sealed class FrameSent
    {
        public static readonly FrameSent Instance = new();
    }

    private sealed class Closed
    {
        public static readonly Closed Instance = new();
    }

    private sealed record SendFailed(Exception Cause);
}
