using System.Buffers;
using ActorQuotes.Contracts;
using ActorQuotes.Contracts.Frames;
using ActorQuotes.Contracts.Sessions;
using ActorQuotes.Contracts.Tickers;
using ActorQuotes.Contracts.Watchlists;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;

namespace ActorQuotes.Actors.Sessions;

/// <summary>
/// One per watchlist WebSocket. Loads the watchlist (as its owner), follows the quotes of each of its
/// symbols (through the node's <see cref="QuoteHubActor"/>) and subscribes to the watchlist's own topic, and writes <c>price_update</c> frames: the first as
/// soon as every stock has a quote, then at most one per interval when prices or positions change
/// (conflated: the newest quote per symbol wins), and at least one per
/// <see cref="StreamingOptions.MaxSilence"/>. In changes mode a frame lists only what changed since the
/// previous one. A missing or foreign watchlist ends the stream with 4404.
/// </summary>
public sealed class WatchlistSessionActor : StreamSessionActor
{
    private readonly long _watchlistId;
    private readonly bool _changesOnly;
    // Per followed symbol, its slot in the node's fan-out; a slot's Latest is the stock's newest quote.
    private readonly Dictionary<string, QuoteSlot> _subscribed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);
    private readonly List<string> _removed = [];
    private StockFrameRow[] _rows = [];
    private StockFrameRow[] _allRows = [];
    private WatchlistView? _view;
    private bool _firstFrameSent;
    private bool _firstFrameWaitOver;
    private bool _dirty;

    public WatchlistSessionActor(long watchlistId, SessionUser user, IFrameSink sink, SessionServices services, StreamPace pace)
        : base(user, sink, services, pace.Interval)
    {
        _watchlistId = watchlistId;
        _changesOnly = pace.ChangesOnly;
        Loading();
    }

    public static Props Props(long watchlistId, SessionUser user, IFrameSink sink, SessionServices services, StreamPace? pace = null) =>
        Akka.Actor.Props.Create(() => new WatchlistSessionActor(watchlistId, user, sink, services,
            pace ?? new StreamPace(services.Options.FrameInterval, false)));

    protected override bool Paced => _firstFrameSent;

    protected override long? WatchlistId => _watchlistId;

    protected override IReadOnlyCollection<string> FollowedSymbols => _subscribed.Keys;

    protected override bool HasFrame
    {
        get
        {
            if (_view is null)
            {
                return false;
            }

            if (!_firstFrameSent)
            {
                // The first frame lists every stock with its current quote.
                return _firstFrameWaitOver || _subscribed.Values.Count(s => s.Latest is not null) >= _view.Stocks.Count;
            }

            return _dirty;
        }
    }

    protected override void PreStart()
    {
        base.PreStart();
        Services.Watchlists.Tell(new GetWatchlist(_watchlistId, User.UserId));
        Timers.StartSingleTimer("load-timeout", LoadTimedOut.Instance, Services.Options.LoadTimeout);
    }

    protected override void WriteFrame(IBufferWriter<byte> buffer, long sequence, DateTimeOffset now)
    {
        var view = _view!;
        if (_allRows.Length < view.Stocks.Count)
        {
            _allRows = new StockFrameRow[Math.Max(view.Stocks.Count, _allRows.Length * 2)];
            _rows = new StockFrameRow[_allRows.Length];
        }

        var all = 0;
        var shown = 0;
        var full = !_changesOnly || !_firstFrameSent;
        foreach (var position in view.Stocks)
        {
            if (Services.Catalog.Find(position.TickerSymbol) is not { } company)
            {
                continue;
            }

            // Without a quote yet (the ticker did not answer in time) the stock shows its reference close.
            var (price, previousClose) = _subscribed.TryGetValue(position.TickerSymbol, out var slot) && slot.Latest is { } quote
                ? (quote.Price, quote.PreviousClose)
                : (company.PreviousClose, company.PreviousClose);
            var row = StockFrameRow.Compute(company.CompanyId, company.TickerSymbol, company.CompanyName,
                price, previousClose, position.Quantity, position.PurchasePrice);
            _allRows[all++] = row;
            if (full || _changed.Contains(position.TickerSymbol))
            {
                _rows[shown++] = row;
            }
        }

        var totals = PortfolioTotals.Of(_allRows.AsSpan(0, all));
        FrameWriter.WritePriceUpdate(buffer, _watchlistId, _rows.AsSpan(0, shown), now, sequence, totals,
            _changesOnly && _firstFrameSent ? _removed : null, JsonWriter);
        _firstFrameSent = true;
        _dirty = false;
        _changed.Clear();
        _removed.Clear();
    }

    /// <summary>The prototype's cadence: a frame at least every MaxSilence, even when nothing moved.</summary>
    protected override void OnWatch(DateTimeOffset now)
    {
        // Checked once per WatchPeriod, so it goes a period early rather than late: gaps stay ≤ MaxSilence.
        if (_firstFrameSent && now - LastFrameAt >= Services.Options.MaxSilence - WatchPeriod)
        {
            _dirty = true;
            MaybeSend();
        }
    }

    private void Loading()
    {
        Receive<WatchlistView>(view =>
        {
            Timers.Cancel("load-timeout");
            _view = view;
            Services.Mediator.Tell(new Subscribe(Topics.Watchlist(_watchlistId), Self));
            SubscribeToStocks(view);
            Timers.StartSingleTimer("first-frame-wait", FirstFrameWaitOver.Instance, Services.Options.FirstFrameWait);
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
        Receive<LoadTimedOut>(_ =>
            CloseWith(CloseCodes.TryAgainLater, CloseCodes.UnavailableCode, "watchlist did not answer; try again"));
        CommonHandlers();
    }

    private void Streaming()
    {
        Receive<WatchlistChanged>(changed =>
        {
            if (_view is not null && changed.View.Version <= _view.Version)
            {
                return;
            }

            MarkPositionChanges(_view, changed.View);
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
        CommonHandlers();
    }

    protected override void OnQuote(QuoteSlot slot, SharedQuote shared)
    {
        var quote = shared.Quote;
        if (!IsNext(slot, quote))
        {
            return;
        }

        slot.Latest = quote;
        if (!_changed.Add(quote.Symbol) && _firstFrameSent)
        {
            CountConflated(); // the previous quote of this symbol was never sent
        }

        _dirty = true;
    }

    private void MarkPositionChanges(WatchlistView? before, WatchlistView after)
    {
        foreach (var position in after.Stocks)
        {
            if (before?.Stocks.Find(p => p.TickerSymbol == position.TickerSymbol) != position)
            {
                _changed.Add(position.TickerSymbol);
            }
        }

        if (before is null)
        {
            return;
        }

        foreach (var position in before.Stocks)
        {
            if (!after.Stocks.Exists(p => p.TickerSymbol == position.TickerSymbol))
            {
                _removed.Add(position.TickerSymbol);
                _changed.Remove(position.TickerSymbol);
            }
        }
    }

    private void SubscribeToStocks(WatchlistView view)
    {
        foreach (var position in view.Stocks)
        {
            if (!_subscribed.ContainsKey(position.TickerSymbol))
            {
                _subscribed.Add(position.TickerSymbol, FollowQuotes(position.TickerSymbol));
            }
        }

        if (_subscribed.Count == view.Stocks.Count)
        {
            return;
        }

        foreach (var symbol in _subscribed.Keys.ToArray())
        {
            if (!view.Stocks.Exists(p => p.TickerSymbol == symbol) && _subscribed.Remove(symbol, out var slot))
            {
                UnfollowQuotes(slot);
            }
        }
    }

    private sealed class LoadTimedOut
    {
        public static readonly LoadTimedOut Instance = new();
    }

    private sealed class FirstFrameWaitOver
    {
        public static readonly FirstFrameWaitOver Instance = new();
    }
}
