import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import { describeError } from '../api/errors';
import type { Company, Watchlist } from '../api/types';
import { rememberCompany, useCompanies } from '../companies';
import { formatMoney, formatPercent, formatSignedMoney, trend } from '../format';
import type { PriceDirection } from '../realtime/priceStream';
import { useRealtimePrices } from '../realtime/useRealtimePrices';
import { AddStockForm } from './AddStockForm';
import { ConnectionBadge } from './ConnectionBadge';
import { PositionRow, type DisplayRow } from './PositionRow';

/**
 * A position this page just wrote through REST that the stream has not shown yet. The stream is the
 * source of truth; this only bridges the ≤ 250 ms until the next frame, and is dropped once a frame
 * agrees with it or after a few frames (someone else may have changed the same position meanwhile).
 */
type Pending =
  | { kind: 'put'; quantity: number; purchasePrice: number; companyName: string; companyId: number; frames: number }
  | { kind: 'removed'; frames: number };

const pendingFrameLimit = 3;

export interface CurrencyTotals {
  currency: string | undefined;
  marketValue: number;
  cost: number;
  unrealizedPl: number;
  dayChange: number;
}

export function WatchlistView(props: { watchlistId: number; name: string; onGone: () => void; onSessionEnded: () => void }) {
  const { watchlistId } = props;
  const live = useRealtimePrices(watchlistId, { onUnauthorized: props.onSessionEnded });
  const [watchlist, setWatchlist] = useState<Watchlist | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [pending, setPending] = useState<ReadonlyMap<string, Pending>>(new Map());
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let active = true;
    api.watchlist(watchlistId).then(
      (w) => active && setWatchlist(w),
      (error) => active && setLoadError(describeError(error, 'load-watchlist')),
    );
    heading.current?.focus();
    return () => {
      active = false;
    };
  }, [watchlistId]);

  const gone = live.status === 'not_found';
  useEffect(() => {
    if (gone) props.onGone();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [gone]);

  // Settle pending writes against each new frame.
  useEffect(() => {
    if (live.sequence === 0) return;
    setPending((current) => {
      if (current.size === 0) return current;
      const next = new Map<string, Pending>();
      for (const [ticker, entry] of current) {
        const row = live.rows.find((r) => r.tickerSymbol === ticker);
        const settled =
          entry.kind === 'removed'
            ? row === undefined
            : row !== undefined && row.quantity === entry.quantity && row.purchasePrice === entry.purchasePrice;
        if (!settled && entry.frames + 1 < pendingFrameLimit) next.set(ticker, { ...entry, frames: entry.frames + 1 });
      }
      return next;
    });
  }, [live.sequence, live.rows]);

  const rows = buildRows(live.rows, live.sequence > 0 || live.lastUpdate !== null, watchlist, pending);
  const companies = useCompanies(rows.map((r) => r.tickerSymbol));
  for (const row of rows) {
    const company = companies.get(row.tickerSymbol.toUpperCase());
    row.currency = company?.currency;
    row.exchange = company?.exchange;
  }
  const totals = buildTotals(rows, pending.size === 0 ? live.totals : null);

  const save = useCallback(
    async (ticker: string, quantity: number, purchasePrice: number, company: Pick<Company, 'company_name' | 'company_id'>, action: 'add-stock' | 'edit-stock') => {
      try {
        const updated = await api.putStock(watchlistId, ticker, quantity, purchasePrice);
        setWatchlist(updated);
        const stored = updated.stocks.find((s) => s.ticker_symbol.toUpperCase() === ticker.toUpperCase());
        const symbol = stored?.ticker_symbol ?? ticker;
        setPending((current) =>
          new Map(current).set(symbol, {
            kind: 'put',
            quantity: stored?.quantity ?? quantity,
            purchasePrice: stored?.purchase_price ?? purchasePrice,
            companyName: stored?.company_name ?? company.company_name,
            companyId: stored?.company_id ?? company.company_id,
            frames: 0,
          }),
        );
        setMessage({ text: action === 'add-stock' ? `${symbol} added.` : `${symbol} updated.`, error: false });
        return null;
      } catch (error) {
        const text = describeError(error, action);
        return text;
      }
    },
    [watchlistId],
  );

  const remove = useCallback(
    async (ticker: string) => {
      try {
        const updated = await api.removeStock(watchlistId, ticker);
        setWatchlist(updated);
        setPending((current) => new Map(current).set(ticker, { kind: 'removed', frames: 0 }));
        setMessage({ text: `${ticker} removed.`, error: false });
        heading.current?.focus();
      } catch (error) {
        setMessage({ text: describeError(error, 'remove-stock'), error: true });
      }
    },
    [watchlistId],
  );

  // The panel's name follows renames; the fetched watchlist covers a deep link before the list loads.
  const title = props.name || watchlist?.name || '';

  if (loadError && !gone) {
    return (
      <section className="watchlist">
        <h1 ref={heading} tabIndex={-1}>{title || 'Watchlist'}</h1>
        <p className="error" role="alert">{loadError}</p>
      </section>
    );
  }

  return (
    <section className="watchlist" aria-labelledby="watchlist-title">
      <div className="watchlist-head">
        <h1 id="watchlist-title" ref={heading} tabIndex={-1}>{title}</h1>
        <ConnectionBadge status={live.status} lastUpdate={live.lastUpdate} retryInMs={live.retryInMs} onRetryNow={live.reconnectNow} />
      </div>

      {gone && (
        <p className="error" role="alert">This watchlist was deleted, so its prices stopped. Pick another watchlist.</p>
      )}
      {live.status === 'failed' && (
        <p className="error" role="alert">
          The server refused the price stream{live.lastError ? `: ${live.lastError.message}` : ''}. Reload the page to try again.
        </p>
      )}
      {live.lastCloseCode === 4429 && live.status === 'reconnecting' && (
        <p className="error" role="alert">Too many price streams are open for your account. Close other tabs; this page keeps retrying.</p>
      )}

      {!gone && (
        <AddStockForm
          existing={rows.map((r) => r.tickerSymbol)}
          onAdd={(company, quantity, purchasePrice) => {
            rememberCompany(company);
            return save(company.ticker_symbol, quantity, purchasePrice, company, 'add-stock');
          }}
        />
      )}

      <p className="visually-hidden" role="status" aria-live="polite">{message && !message.error ? message.text : ''}</p>
      {message?.error && <p className="error" role="alert">{message.text}</p>}

      <div className="table-scroll" role="region" aria-labelledby="positions-caption" tabIndex={0}>
        <table className="positions">
          <caption id="positions-caption">
            Positions in {title || 'this watchlist'}
            <span className="visually-hidden">: live prices and unrealized profit and loss</span>
          </caption>
          <thead>
            <tr>
              <th scope="col">Company</th>
              <th scope="col" className="num">Price</th>
              <th scope="col" className="num">Change</th>
              <th scope="col" className="num">Change %</th>
              <th scope="col" className="num">Quantity</th>
              <th scope="col" className="num">Purchase price</th>
              <th scope="col" className="num">Unrealized P&amp;L</th>
              <th scope="col">Trend</th>
              <th scope="col"><span className="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr>
                <td colSpan={9} className="muted">
                  {watchlist === null && live.sequence === 0 ? 'Loading…' : 'No stocks yet. Search for a company above to add one.'}
                </td>
              </tr>
            )}
            {rows.map((row) => (
              <PositionRow
                key={row.tickerSymbol}
                row={row}
                onSave={(quantity, purchasePrice) =>
                  save(row.tickerSymbol, quantity, purchasePrice, { company_name: row.companyName, company_id: row.companyId }, 'edit-stock')
                }
                onRemove={() => remove(row.tickerSymbol)}
              />
            ))}
          </tbody>
          {totals.length > 0 && (
            <tfoot>
              {totals.map((t) => (
                <tr key={t.currency ?? 'unknown'} data-testid={`totals-${t.currency ?? 'unknown'}`}>
                  <th scope="row">
                    Total{totals.length > 1 && t.currency ? ` (${t.currency})` : ''}
                  </th>
                  <td className="num">
                    <span className="cell-label">Value</span> {formatMoney(t.marketValue, t.currency)}
                  </td>
                  <td className={`num ${trend(t.dayChange)}`}>
                    <span className="cell-label">Today</span> {formatSignedMoney(t.dayChange, t.currency)}
                  </td>
                  <td className={`num ${trend(t.dayChange)}`}>
                    {t.marketValue - t.dayChange !== 0 ? formatPercent((t.dayChange / (t.marketValue - t.dayChange)) * 100) : '–'}
                  </td>
                  <td />
                  <td className="num">
                    <span className="cell-label">Cost</span> {formatMoney(t.cost, t.currency)}
                  </td>
                  <td className={`num ${trend(t.unrealizedPl)}`} data-testid="total-pl" data-value={t.unrealizedPl}>
                    {formatSignedMoney(t.unrealizedPl, t.currency)}
                  </td>
                  <td />
                  <td />
                </tr>
              ))}
            </tfoot>
          )}
        </table>
      </div>
      {totals.length > 1 && (
        <p className="hint">Totals are shown per currency; yen and dollars are not converted.</p>
      )}
    </section>
  );
}

function buildRows(
  streamRows: ReturnType<typeof useRealtimePrices>['rows'],
  streamed: boolean,
  watchlist: Watchlist | null,
  pending: ReadonlyMap<string, Pending>,
): DisplayRow[] {
  const rows: DisplayRow[] = [];
  if (streamed) {
    for (const r of streamRows) {
      rows.push({
        tickerSymbol: r.tickerSymbol,
        companyName: r.companyName,
        companyId: r.companyId,
        price: r.price,
        change: r.change,
        changePercent: r.changePercent,
        quantity: r.quantity,
        purchasePrice: r.purchasePrice,
        unrealizedPl: r.unrealizedPl,
        direction: r.direction,
        flashKey: r.flashKey,
        history: r.history,
      });
    }
  } else if (watchlist) {
    // Before the first frame: the positions without prices.
    for (const s of watchlist.stocks) rows.push(emptyRow(s.ticker_symbol, s.company_name, s.company_id, s.quantity, s.purchase_price));
  }

  for (const [ticker, entry] of pending) {
    const index = rows.findIndex((r) => r.tickerSymbol === ticker);
    if (entry.kind === 'removed') {
      if (index >= 0) rows.splice(index, 1);
      continue;
    }
    if (index < 0) {
      rows.push(emptyRow(ticker, entry.companyName, entry.companyId, entry.quantity, entry.purchasePrice));
      continue;
    }
    const row = rows[index];
    row.quantity = entry.quantity;
    row.purchasePrice = entry.purchasePrice;
    // Same formula as the server (docs/protocol.md), until the next frame brings its own figure.
    row.unrealizedPl = row.price === null ? null : (row.price - entry.purchasePrice) * entry.quantity;
  }
  return rows;
}

function emptyRow(ticker: string, name: string, companyId: number, quantity: number, purchasePrice: number): DisplayRow {
  return {
    tickerSymbol: ticker,
    companyName: name,
    companyId,
    price: null,
    change: null,
    changePercent: null,
    quantity,
    purchasePrice,
    unrealizedPl: null,
    direction: null as PriceDirection,
    flashKey: 0,
    history: [],
  };
}

/**
 * Totals per currency. The server's `totals` add yen and dollars as plain numbers, so they are used as
 * they are only when every stock has one currency and no local write is waiting for a frame.
 */
function buildTotals(rows: DisplayRow[], serverTotals: ReturnType<typeof useRealtimePrices>['totals']): CurrencyTotals[] {
  const priced = rows.filter((r) => r.price !== null);
  if (priced.length === 0) return [];
  const byCurrency = new Map<string | undefined, CurrencyTotals>();
  for (const r of priced) {
    let t = byCurrency.get(r.currency);
    if (!t) {
      t = { currency: r.currency, marketValue: 0, cost: 0, unrealizedPl: 0, dayChange: 0 };
      byCurrency.set(r.currency, t);
    }
    t.marketValue += r.price! * r.quantity;
    t.cost += r.purchasePrice * r.quantity;
    t.unrealizedPl += r.unrealizedPl ?? 0;
    t.dayChange += (r.change ?? 0) * r.quantity;
  }
  const all = Array.from(byCurrency.values());
  if (all.length === 1 && serverTotals && priced.length === rows.length) {
    return [{ currency: all[0].currency, ...serverTotals }];
  }
  return all;
}
