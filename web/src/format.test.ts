import { describe, expect, it } from 'vitest';
import { formatMoney, formatPercent, formatSignedMoney, parsePosition } from './format';

describe('money in the company currency and locale', () => {
  it('writes yen without decimals (ja-JP) and dollars with cents (en-US)', () => {
    expect(formatMoney(2650.4, 'JPY')).toBe('￥2,650');
    expect(formatMoney(271.5, 'USD')).toBe('$271.50');
    expect(formatMoney(1234567.891, 'USD')).toBe('$1,234,567.89');
  });

  it('signs changes and P&L, and leaves zero unsigned', () => {
    expect(formatSignedMoney(15000, 'JPY')).toBe('+￥15,000');
    expect(formatSignedMoney(-1.77, 'USD')).toBe('-$1.77');
    expect(formatSignedMoney(0, 'USD')).toBe('$0.00');
  });

  it('writes change_percent (already in percent) with two places and a sign', () => {
    expect(formatPercent(1.92)).toBe('+1.92%');
    expect(formatPercent(-0.46)).toBe('-0.46%');
  });

  it('falls back to a plain number while the currency is unknown', () => {
    expect(formatMoney(2650, undefined)).toBe('2,650');
  });
});

describe('parsePosition', () => {
  it('takes positive finite numbers and names the field that is wrong', () => {
    expect(parsePosition('100', '2500.5')).toEqual({ quantity: 100, purchasePrice: 2500.5 });
    expect(parsePosition('', '1')).toEqual({ error: 'Quantity must be a number greater than 0.' });
    expect(parsePosition('0', '1')).toEqual({ error: 'Quantity must be a number greater than 0.' });
    expect(parsePosition('1', 'Infinity')).toEqual({ error: 'Purchase price must be a number greater than 0.' });
    expect(parsePosition('1', ' ')).toEqual({ error: 'Purchase price must be a number greater than 0.' });
  });
});
