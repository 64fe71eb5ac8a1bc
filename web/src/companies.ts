import { useEffect, useState } from 'react';
import { api } from './api/client';
import type { Company } from './api/types';

// Frames carry no currency or exchange; the company route does. Each ticker is asked once per page load.
const known = new Map<string, Company>();
const pending = new Map<string, Promise<Company | null>>();

export function rememberCompany(company: Company): void {
  known.set(company.ticker_symbol.toUpperCase(), company);
}

function load(ticker: string): Promise<Company | null> {
  const key = ticker.toUpperCase();
  let promise = pending.get(key);
  if (!promise) {
    promise = api.company(ticker).then(
      (company) => {
        rememberCompany(company);
        return company;
      },
      () => {
        pending.delete(key); // a later render may try again
        return null;
      },
    );
    pending.set(key, promise);
  }
  return promise;
}

/** Company details (currency, exchange) for these tickers, filled in as they load. */
export function useCompanies(tickers: readonly string[]): ReadonlyMap<string, Company> {
  const [, setVersion] = useState(0);
  const key = Array.from(new Set(tickers.map((t) => t.toUpperCase()))).sort().join(',');

  useEffect(() => {
    let active = true;
    const missing = key === '' ? [] : key.split(',').filter((t) => !known.has(t));
    for (const ticker of missing) {
      void load(ticker).then((company) => {
        if (active && company) setVersion((v) => v + 1);
      });
    }
    return () => {
      active = false;
    };
  }, [key]);

  return known;
}
