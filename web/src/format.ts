// Numbers in the company's currency and locale: yen without decimals (ja-JP), dollars with cents (en-US).

export interface Money {
  currency: string;
}

const localeByCurrency: Record<string, string> = { JPY: 'ja-JP', USD: 'en-US' };
const moneyFormats = new Map<string, Intl.NumberFormat>();
const signedMoneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string, signed: boolean): Intl.NumberFormat {
  const cache = signed ? signedMoneyFormats : moneyFormats;
  let format = cache.get(currency);
  if (!format) {
    const locale = localeByCurrency[currency] ?? 'en-US';
    const digits = currency === 'JPY' ? 0 : 2;
    format = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      signDisplay: signed ? 'exceptZero' : 'auto',
    });
    cache.set(currency, format);
  }
  return format;
}

const plainNumber = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const signedPlainNumber = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2, signDisplay: 'exceptZero' });
const quantityFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });
const percentFormat = new Intl.NumberFormat('en-US', {
  style: 'percent',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
  signDisplay: 'exceptZero',
});

/** A price or amount; without a known currency (company not loaded yet) a plain number. */
export function formatMoney(value: number, currency: string | undefined): string {
  return currency ? moneyFormat(currency, false).format(value) : plainNumber.format(value);
}

/** A change or P&L, with its sign. */
export function formatSignedMoney(value: number, currency: string | undefined): string {
  return currency ? moneyFormat(currency, true).format(value) : signedPlainNumber.format(value);
}

/** `change_percent` is already in percent (1.92 means 1.92 %). */
export function formatPercent(percent: number): string {
  return percentFormat.format(percent / 100);
}

export function formatQuantity(value: number): string {
  return quantityFormat.format(value);
}

/** Digits an input for a price in this currency accepts. */
export function priceStep(currency: string | undefined): string {
  return currency === 'JPY' ? '0.1' : '0.01';
}

export function trend(value: number): 'up' | 'down' | 'flat' {
  return value > 0 ? 'up' : value < 0 ? 'down' : 'flat';
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function formatTime(date: Date): string {
  return timeFormat.format(date);
}

/** A position typed into a form: both numbers, or the message saying which one is wrong. */
export type ParsedPosition = { quantity: number; purchasePrice: number } | { error: string };

/** Reads the quantity and purchase price fields the way the API takes them: finite numbers greater than 0. */
export function parsePosition(quantity: string, purchasePrice: string): ParsedPosition {
  const q = Number(quantity);
  const p = Number(purchasePrice);
  if (quantity.trim() === '' || !Number.isFinite(q) || q <= 0) {
    return { error: 'Quantity must be a number greater than 0.' };
  }
  if (purchasePrice.trim() === '' || !Number.isFinite(p) || p <= 0) {
    return { error: 'Purchase price must be a number greater than 0.' };
  }
  return { quantity: q, purchasePrice: p };
}
