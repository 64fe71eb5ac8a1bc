import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, configureWriteRetry } from './client';

type Call = { method: string; url: string; key: string | null };

const problem = (status: number, code: string) =>
  new Response(JSON.stringify({ type: `urn:actorquotes:problem:${code}`, title: code, status, detail: 'scripted', code }), {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
  });

const watchlist = { watchlist_id: 9, name: 'Core', stocks: [] };
const ok = () => new Response(JSON.stringify(watchlist), { status: 200, headers: { 'Content-Type': 'application/json' } });

/** fetch answers from a script, one entry per call; a thrown TypeError is what fetch does when the network fails. */
function script(...answers: Array<() => Response>): Call[] {
  const calls: Call[] = [];
  let i = 0;
  vi.stubGlobal('fetch', vi.fn(async (url: string, init: RequestInit) => {
    const headers = init.headers as Record<string, string>;
    calls.push({ method: init.method ?? 'GET', url, key: headers['Idempotency-Key'] ?? null });
    const answer = answers[i++];
    if (!answer) throw new Error('unexpected extra request');
    return answer();
  }));
  return calls;
}

const networkError = () => {
  throw new TypeError('Failed to fetch');
};

let restore: () => void;
let keys = 0;
const sleeps: number[] = [];

beforeEach(() => {
  keys = 0;
  sleeps.length = 0;
  restore = configureWriteRetry({
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0,
    newKey: () => `key-${++keys}`,
  });
});

afterEach(() => {
  restore();
  vi.unstubAllGlobals();
});

describe('writes', () => {
  it('retry a 504, a 503 and a network error with the same Idempotency-Key until answered', async () => {
    const calls = script(() => problem(504, 'outcome_unknown'), () => problem(503, 'unavailable'), networkError, ok);

    const result = await api.putStock(9, '7203', 100, 2500);

    expect(result).toEqual(watchlist);
    expect(calls.map((c) => [c.method, c.url, c.key])).toEqual(Array(4).fill(['PUT', '/api/v1/watchlists/9/stocks/7203', 'key-1']));
    expect(sleeps).toEqual([250, 500, 1000]); // half of each doubling ceiling, as random() is 0
  });

  it('use a fresh key per action, on every write route', async () => {
    const calls = script(ok, ok, () => new Response(null, { status: 204 }), ok, () => new Response(null, { status: 204 }), ok);

    await api.createWatchlist('Core');
    await api.renameWatchlist(9, 'Japan');
    await api.deleteWatchlist(9);
    await api.removeStock(9, 'AAPL');
    await api.logout();
    await api.putStock(9, 'AAPL', 1, 200);

    expect(calls.map((c) => `${c.method} ${c.url} ${c.key}`)).toEqual([
      'POST /api/v1/watchlists key-1',
      'PATCH /api/v1/watchlists/9 key-2',
      'DELETE /api/v1/watchlists/9 key-3',
      'DELETE /api/v1/watchlists/9/stocks/AAPL key-4',
      'POST /api/v1/auth/logout key-5',
      'PUT /api/v1/watchlists/9/stocks/AAPL key-6',
    ]);
  });

  it('do not retry a 4xx: it is thrown at once with its code', async () => {
    const calls = script(() => problem(409, 'idempotency_key_reused'), ok);

    const error = await api.removeStock(9, '7203').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('idempotency_key_reused');
    expect(calls).toHaveLength(1);
  });

  it('stop after the bounded attempts: outcome_unknown if any attempt may have landed, unavailable if all were refused', async () => {
    const calls = script(
      () => problem(504, 'outcome_unknown'), () => problem(503, 'unavailable'), () => problem(503, 'unavailable'), () => problem(503, 'unavailable'),
      () => problem(503, 'unavailable'), () => problem(503, 'unavailable'), () => problem(503, 'unavailable'), () => problem(503, 'unavailable'),
    );

    const unknown = (await api.renameWatchlist(9, 'X').catch((e: unknown) => e)) as ApiError;
    const refused = (await api.renameWatchlist(9, 'X').catch((e: unknown) => e)) as ApiError;

    expect(calls).toHaveLength(8);
    expect([unknown.status, unknown.code]).toEqual([503, 'outcome_unknown']);
    expect([refused.status, refused.code]).toEqual([503, 'unavailable']);
  });

  it('reads are sent once, with no key', async () => {
    const calls = script(() => problem(503, 'unavailable'));

    await expect(api.watchlist(9)).rejects.toMatchObject({ code: 'unavailable' });

    expect(calls).toEqual([{ method: 'GET', url: '/api/v1/watchlists/9', key: null }]);
  });
});
