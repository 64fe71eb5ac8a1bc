import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { describeError } from '../api/errors';
import type { Company } from '../api/types';
import { formatMoney, parsePosition, priceStep } from '../format';

interface Props {
  existing: readonly string[];
  /** Resolves to an error message, or null when added. */
  onAdd: (company: Company, quantity: number, purchasePrice: number) => Promise<string | null>;
}

const searchDelayMs = 200;
const shownResults = 8;

/** Search the catalog, pick a company, give quantity and purchase price, add (PUT) it. */
export function AddStockForm({ existing, onAdd }: Props) {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Company[] | null>(null);
  const [searchError, setSearchError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Company | null>(null);
  const [quantity, setQuantity] = useState('');
  const [purchasePrice, setPurchasePrice] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const quantityInput = useRef<HTMLInputElement>(null);
  const searchInput = useRef<HTMLInputElement>(null);
  const id = useId();

  useEffect(() => {
    const text = query.trim();
    if (text === '' || selected) {
      setResults(null);
      return undefined;
    }
    let active = true;
    const timer = setTimeout(() => {
      api.searchCompanies(text).then(
        (found) => {
          if (!active) return;
          setResults(found);
          setSearchError(null);
        },
        (failure) => active && setSearchError(describeError(failure, 'search')),
      );
    }, searchDelayMs);
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }, [query, selected]);

  function choose(company: Company) {
    setSelected(company);
    setQuery(`${company.ticker_symbol} ${company.company_name}`);
    setResults(null);
    setError(null);
    setQuantity(company.currency === 'JPY' ? '100' : '10');
    setPurchasePrice(String(company.previous_close));
    requestAnimationFrame(() => quantityInput.current?.focus());
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!selected) {
      setError('Search for a company and pick it from the list first.');
      return;
    }
    const position = parsePosition(quantity, purchasePrice);
    if ('error' in position) {
      setError(position.error);
      return;
    }
    setBusy(true);
    setError(null);
    const failure = await onAdd(selected, position.quantity, position.purchasePrice);
    setBusy(false);
    if (failure) {
      setError(failure);
      return;
    }
    setSelected(null);
    setQuery('');
    setQuantity('');
    setPurchasePrice('');
    searchInput.current?.focus();
  }

  const replacing = selected !== null && existing.some((t) => t.toUpperCase() === selected.ticker_symbol.toUpperCase());
  const shown = results?.slice(0, shownResults) ?? [];

  return (
    <form className="add-stock" onSubmit={submit} aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Add a stock</h2>
      <div className="fields">
        <div className="field search">
          <label htmlFor={`${id}-search`}>Company or ticker</label>
          <input
            id={`${id}-search`}
            ref={searchInput}
            type="search"
            autoComplete="off"
            placeholder="e.g. 7203, Toyota, AAPL"
            value={query}
            aria-describedby={`${id}-results-status`}
            aria-controls={`${id}-results`}
            onChange={(e) => {
              setQuery(e.target.value);
              setSelected(null);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Escape' && results !== null) {
                e.preventDefault();
                setResults(null);
              }
            }}
          />
          <p id={`${id}-results-status`} className="visually-hidden" role="status" aria-live="polite">
            {results === null ? '' : results.length === 0 ? 'No company found.' : `${results.length} companies found.`}
          </p>
          {results !== null && (
            <ul id={`${id}-results`} className="results" aria-label="Matching companies">
              {shown.length === 0 && <li className="muted">No company matches “{query.trim()}”.</li>}
              {shown.map((c) => (
                <li key={c.ticker_symbol}>
                  <button type="button" className="result" onClick={() => choose(c)}>
                    <span className="ticker">{c.ticker_symbol}</span> <span className="name">{c.company_name}</span>{' '}
                    <span className="muted">
                      {c.exchange} · {formatMoney(c.previous_close, c.currency)}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          {searchError && <p className="error" role="alert">{searchError}</p>}
        </div>
        <div className="field">
          <label htmlFor={`${id}-quantity`}>Quantity</label>
          <input
            id={`${id}-quantity`}
            ref={quantityInput}
            type="number"
            inputMode="decimal"
            min="0"
            step="any"
            value={quantity}
            onChange={(e) => setQuantity(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-price`}>
            Purchase price{selected ? ` (${selected.currency})` : ''}
          </label>
          <input
            id={`${id}-price`}
            type="number"
            inputMode="decimal"
            min="0"
            step={priceStep(selected?.currency)}
            value={purchasePrice}
            onChange={(e) => setPurchasePrice(e.target.value)}
          />
        </div>
        <div className="field submit">
          <button type="submit" disabled={busy}>{replacing ? 'Update position' : 'Add to watchlist'}</button>
        </div>
      </div>
      {selected && (
        <p className="hint">
          Selected: {selected.company_name} ({selected.ticker_symbol}, {selected.exchange}). Last close{' '}
          {formatMoney(selected.previous_close, selected.currency)}.
        </p>
      )}
      {error && <p className="error" role="alert">{error}</p>}
    </form>
  );
}
