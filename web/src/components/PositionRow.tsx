import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { formatMoney, formatPercent, formatQuantity, formatSignedMoney, parsePosition, priceStep, trend } from '../format';
import type { PriceDirection } from '../realtime/priceStream';
import { Sparkline } from './Sparkline';

export interface DisplayRow {
  tickerSymbol: string;
  companyName: string;
  companyId: number;
  currency?: string;
  exchange?: string;
  price: number | null;
  change: number | null;
  changePercent: number | null;
  quantity: number;
  purchasePrice: number;
  unrealizedPl: number | null;
  direction: PriceDirection;
  flashKey: number;
  history: readonly number[];
}

interface Props {
  row: DisplayRow;
  /** Resolves to an error message, or null when saved. */
  onSave: (quantity: number, purchasePrice: number) => Promise<string | null>;
  onRemove: () => Promise<void>;
}

export function PositionRow({ row, onSave, onRemove }: Props) {
  const [mode, setMode] = useState<'view' | 'edit' | 'confirm-remove'>('view');
  const [quantity, setQuantity] = useState('');
  const [purchasePrice, setPurchasePrice] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const quantityInput = useRef<HTMLInputElement>(null);
  const restoreFocus = useRef(false);
  const id = useId();
  const label = `${row.companyName} (${row.tickerSymbol})`;

  useEffect(() => {
    if (mode === 'edit') quantityInput.current?.focus();
    if (mode === 'view' && restoreFocus.current) {
      restoreFocus.current = false;
      editButton.current?.focus();
    }
  }, [mode]);

  function startEdit() {
    setQuantity(String(row.quantity));
    setPurchasePrice(String(row.purchasePrice));
    setError(null);
    setMode('edit');
  }

  function leave() {
    restoreFocus.current = true;
    setError(null);
    setMode('view');
  }

  async function save() {
    const position = parsePosition(quantity, purchasePrice);
    if ('error' in position) {
      setError(position.error);
      return;
    }
    setBusy(true);
    const failure = await onSave(position.quantity, position.purchasePrice);
    setBusy(false);
    if (failure) setError(failure);
    else leave();
  }

  function keys(event: KeyboardEvent) {
    if (event.key === 'Enter') {
      event.preventDefault();
      void save();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      leave();
    }
  }

  const editing = mode === 'edit';
  const priceTrend = trend(row.change ?? 0);

  return (
    <tr data-ticker={row.tickerSymbol} aria-describedby={error ? `${id}-error` : undefined}>
      <th scope="row" className="company">
        <span className="name">{row.companyName}</span>
        <span className="ticker">
          {row.tickerSymbol}
          {row.exchange ? ` · ${row.exchange}` : ''}
        </span>
        {error && (
          <span className="error cell-error" role="alert" id={`${id}-error`}>{error}</span>
        )}
      </th>
      <td className="num price" data-testid="price" data-value={row.price ?? ''} data-direction={row.direction ?? ''}>
        {row.price === null ? (
          <span className="muted">–</span>
        ) : (
          <span key={row.flashKey} className={row.flashKey > 0 && row.direction ? `flash flash-${row.direction}` : undefined}>
            {formatMoney(row.price, row.currency)}
          </span>
        )}
      </td>
      <td className={`num ${priceTrend}`} data-testid="change">
        {row.change === null ? '–' : formatSignedMoney(row.change, row.currency)}
      </td>
      <td className={`num ${priceTrend}`} data-testid="change-percent">
        {row.changePercent === null ? '–' : formatPercent(row.changePercent)}
      </td>
      <td className="num" data-testid="quantity" data-value={row.quantity}>
        {editing ? (
          <>
            <label htmlFor={`${id}-quantity`} className="visually-hidden">Quantity of {label}</label>
            <input
              id={`${id}-quantity`}
              ref={quantityInput}
              className="cell-input"
              type="number"
              inputMode="decimal"
              min="0"
              step="any"
              value={quantity}
              onChange={(e) => setQuantity(e.target.value)}
              onKeyDown={keys}
            />
          </>
        ) : (
          formatQuantity(row.quantity)
        )}
      </td>
      <td className="num" data-testid="purchase-price" data-value={row.purchasePrice}>
        {editing ? (
          <>
            <label htmlFor={`${id}-purchase`} className="visually-hidden">Purchase price of {label}</label>
            <input
              id={`${id}-purchase`}
              className="cell-input"
              type="number"
              inputMode="decimal"
              min="0"
              step={priceStep(row.currency)}
              value={purchasePrice}
              onChange={(e) => setPurchasePrice(e.target.value)}
              onKeyDown={keys}
            />
          </>
        ) : (
          formatMoney(row.purchasePrice, row.currency)
        )}
      </td>
      <td className={`num ${trend(row.unrealizedPl ?? 0)}`} data-testid="pl" data-value={row.unrealizedPl ?? ''}>
        {row.unrealizedPl === null ? '–' : formatSignedMoney(row.unrealizedPl, row.currency)}
      </td>
      <td className="spark">
        <Sparkline points={row.history} currency={row.currency} label={`Prices of ${row.tickerSymbol} since this page opened`} />
      </td>
      <td className="row-actions">
        {editing ? (
          <>
            <button type="button" className="small" disabled={busy} onClick={() => void save()}>Save</button>
            <button type="button" className="small secondary" onClick={leave}>Cancel</button>
          </>
        ) : mode === 'confirm-remove' ? (
          <>
            <button
              type="button"
              className="small danger"
              disabled={busy}
              autoFocus
              onClick={async () => {
                setBusy(true);
                await onRemove();
                setBusy(false);
                setMode('view');
              }}
            >
              Remove {row.tickerSymbol}
            </button>
            <button type="button" className="small secondary" onClick={leave}>Keep</button>
          </>
        ) : (
          <>
            <button type="button" className="small secondary" ref={editButton} aria-label={`Edit ${label}`} onClick={startEdit}>
              Edit
            </button>
            <button
              type="button"
              className="small secondary"
              aria-label={`Remove ${label}`}
              onClick={() => {
                setError(null);
                setMode('confirm-remove');
              }}
            >
              Remove
            </button>
          </>
        )}
      </td>
    </tr>
  );
}
