import { act, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, type Clock, type NetworkMonitor, type SocketLike } from './priceStream';
import { useRealtimePrices, type RealtimeOptions } from './useRealtimePrices';

/** A socket the test drives: it records what the hook does and plays the server's part. */
class FakeSocket implements SocketLike {
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  closedWith: { code?: number; reason?: string } | null = null;

  constructor(readonly url: string) {}

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
  }

  open(): void {
    act(() => this.onopen?.({}));
  }

  send(frame: unknown): void {
    act(() => this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) }));
  }

  /** The server closes (or the connection drops: 1006). */
  serverClose(code: number, reason = ''): void {
    act(() => {
      this.onerror?.({});
      this.onclose?.({ code, reason });
    });
  }
}

/** A clock whose time moves only when the test says so; timers fire in due order. */
class FakeClock implements Clock {
  private time = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void; ms: number }>();
  readonly scheduled: number[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, callback, ms });
    this.scheduled.push(ms);
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  pendingDelays(): number[] {
    return Array.from(this.timers.values()).map((t) => t.at - this.time);
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = Array.from(this.timers.entries())
        .filter(([, t]) => t.at <= until)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      act(() => due[1].callback());
    }
    this.time = until;
  }
}

function stock(ticker: string, price: number, extra: Partial<Record<string, number>> = {}) {
  return {
    company_id: ticker === '7203' ? 1 : 2,
    ticker_symbol: ticker,
    company_name: ticker === '7203' ? 'トヨタ自動車株式会社' : 'Apple Inc.',
    current_price: price,
    change: extra.change ?? 0,
    change_percent: extra.change_percent ?? 0,
    quantity: extra.quantity ?? 100,
    purchase_price: extra.purchase_price ?? 2500,
    unrealized_pl: extra.unrealized_pl ?? (price - (extra.purchase_price ?? 2500)) * (extra.quantity ?? 100),
  };
}

function priceUpdate(sequence: number, stocks: ReturnType<typeof stock>[], timestamp = '2026-11-29T05:42:22') {
  return {
    type: 'price_update',
    watchlist_id: 1,
    stocks,
    timestamp,
    sequence,
    totals: {
      market_value: stocks.reduce((s, x) => s + x.current_price * x.quantity, 0),
      cost: stocks.reduce((s, x) => s + x.purchase_price * x.quantity, 0),
      unrealized_pl: stocks.reduce((s, x) => s + x.unrealized_pl, 0),
      day_change: stocks.reduce((s, x) => s + x.change * x.quantity, 0),
    },
  };
}

function setup(overrides: Partial<RealtimeOptions> = {}, watchlistId: number | null = 1) {
  const sockets: FakeSocket[] = [];
  const clock = new FakeClock();
  const onUnauthorized = vi.fn();
  const onGap = vi.fn();
  const options: RealtimeOptions = {
    token: 'tok en',
    baseUrl: 'ws://gateway.test',
    socketFactory: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    clock,
    random: () => 0.5,
    onUnauthorized,
    onGap,
    ...overrides,
  };
  const hook = renderHook(({ id }) => useRealtimePrices(id, options), { initialProps: { id: watchlistId } });
  const last = () => sockets[sockets.length - 1];
  return { hook, sockets, clock, last, onUnauthorized, onGap };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('useRealtimePrices', () => {
  it('opens one socket on the watchlist stream with the token and is connecting until the first frame', () => {
    const { hook, sockets } = setup();
    expect(sockets).toHaveLength(1);
    expect(sockets[0].url).toBe('ws://gateway.test/api/v1/ws/watchlist/1/prices?token=tok%20en');
    expect(hook.result.current.status).toBe('connecting');
    expect(hook.result.current.rows).toEqual([]);
    expect(hook.result.current.lastUpdate).toBeNull();
  });

  it('turns price_update frames into rows, totals and the time of the last update', () => {
    const { hook, last } = setup();
    last().open();
    last().send(priceUpdate(1, [stock('7203', 2650, { change: 50, change_percent: 1.92 }), stock('AAPL', 270.5, { quantity: 10, purchase_price: 250 })]));

    const state = hook.result.current;
    expect(state.status).toBe('live');
    expect(state.sequence).toBe(1);
    expect(state.rows.map((r) => r.tickerSymbol)).toEqual(['7203', 'AAPL']);
    expect(state.rows[0]).toMatchObject({
      companyName: 'トヨタ自動車株式会社',
      price: 2650,
      change: 50,
      changePercent: 1.92,
      quantity: 100,
      purchasePrice: 2500,
      unrealizedPl: 15000,
      direction: null,
      flashKey: 0,
      history: [2650],
    });
    expect(state.rows[1]).toMatchObject({ price: 270.5, quantity: 10, unrealizedPl: 205 });
    expect(state.totals).toEqual({ marketValue: 267705, cost: 252500, unrealizedPl: 15205, dayChange: 5000 });
    // The stream's timestamps are UTC without an offset.
    expect(state.lastUpdate?.toISOString()).toBe('2026-11-29T05:42:22.000Z');
    expect(state.gaps).toBe(0);
  });

  it('marks each price move up or down, bumps its flash key and keeps the intraday history', () => {
    const { hook, last } = setup();
    last().send(priceUpdate(1, [stock('7203', 2650)]));
    last().send(priceUpdate(2, [stock('7203', 2660)]));
    expect(hook.result.current.rows[0]).toMatchObject({ price: 2660, direction: 'up', flashKey: 1, history: [2650, 2660] });

    last().send(priceUpdate(3, [stock('7203', 2660)]));
    expect(hook.result.current.rows[0]).toMatchObject({ direction: 'up', flashKey: 1, history: [2650, 2660] });

    last().send(priceUpdate(4, [stock('7203', 2640)]));
    expect(hook.result.current.rows[0]).toMatchObject({ price: 2640, direction: 'down', flashKey: 2, history: [2650, 2660, 2640] });
  });

  it('drops a stock that a full frame no longer lists', () => {
    const { hook, last } = setup();
    last().send(priceUpdate(1, [stock('7203', 2650), stock('AAPL', 270)]));
    last().send(priceUpdate(2, [stock('AAPL', 271)]));
    expect(hook.result.current.rows.map((r) => r.tickerSymbol)).toEqual(['AAPL']);
  });

  it('counts a jump in sequence as a gap and goes on from the frame received', () => {
    const { hook, last, onGap } = setup();
    last().send(priceUpdate(1, [stock('7203', 2650)]));
    last().send(priceUpdate(2, [stock('7203', 2651)]));
    last().send(priceUpdate(5, [stock('7203', 2652)]));

    expect(hook.result.current.gaps).toBe(1);
    expect(hook.result.current.lastGap).toEqual({ expected: 3, received: 5 });
    expect(onGap).toHaveBeenCalledWith({ expected: 3, received: 5 });
    expect(hook.result.current.rows[0].price).toBe(2652);

    last().send(priceUpdate(6, [stock('7203', 2653)]));
    expect(hook.result.current.gaps).toBe(1);
  });

  it('counts heartbeats in the sequence and ignores text that is not a frame', () => {
    const { hook, last } = setup();
    last().send(priceUpdate(1, [stock('7203', 2650)]));
    last().send({ type: 'heartbeat', sequence: 2, timestamp: '2026-11-29T05:42:37' });
    last().send('not json');
    last().send({ no: 'type' });
    last().send(priceUpdate(3, [stock('7203', 2650)]));
    expect(hook.result.current.gaps).toBe(0);
    expect(hook.result.current.sequence).toBe(3);
  });

  it('starts the sequence again at 1 on a new socket without calling it a gap', () => {
    const { hook, sockets, clock, last } = setup();
    last().send(priceUpdate(1, [stock('7203', 2650)]));
    last().send(priceUpdate(2, [stock('7203', 2651)]));
    last().serverClose(1012, 'server restarting');
    clock.advance(10_000);
    expect(sockets).toHaveLength(2);
    last().send(priceUpdate(1, [stock('7203', 2655)]));
    expect(hook.result.current.gaps).toBe(0);
    expect(hook.result.current.status).toBe('live');
    // The sparkline keeps the prices from before the reconnect.
    expect(hook.result.current.rows[0].history).toEqual([2650, 2651, 2655]);
  });

  it('reconnects after a drop with exponential backoff and equal jitter, capped, and resets after a frame', () => {
    const randoms = [0, 0.999, 0.5, 0, 0, 0, 0, 0];
    let i = 0;
    const { hook, sockets, clock, last } = setup({ random: () => randoms[i++ % randoms.length], backoff: { initialMs: 500, maxMs: 4000 } });
    last().send(priceUpdate(1, [stock('7203', 2650)]));

    const delays: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      last().serverClose(1006);
      expect(hook.result.current.status).toBe('reconnecting');
      expect(hook.result.current.failures).toBe(attempt);
      const delay = hook.result.current.retryInMs!;
      delays.push(delay);
      expect(clock.pendingDelays()).toContain(delay);
      const before = sockets.length;
      clock.advance(delay - 1);
      expect(sockets).toHaveLength(before);
      clock.advance(1);
      expect(sockets).toHaveLength(before + 1);
    }
    // Ceilings 500, 1000, 2000, 4000, 4000, 4000; the delay is drawn from [ceiling/2, ceiling).
    expect(delays).toEqual([250, 1000, 1500, 2000, 2000, 2000]);
    expect(hook.result.current.lastCloseCode).toBe(1006);

    last().send(priceUpdate(1, [stock('7203', 2650)]));
    expect(hook.result.current.status).toBe('live');
    expect(hook.result.current.failures).toBe(0);
    last().serverClose(1012);
    expect(hook.result.current.failures).toBe(1);
    expect(hook.result.current.retryInMs).toBe(250);
  });

  it('follows the documented backoff schedule', () => {
    const options = { initialMs: 500, maxMs: 10_000 };
    expect([1, 2, 3, 4, 5, 6, 7].map((f) => backoffDelay(f, () => 0, options))).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
    expect([1, 2, 3, 4, 5, 6, 7].map((f) => backoffDelay(f, () => 0.999999, options))).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000]);
  });

  it('also reconnects after 4408 (slow consumer), 4429 (too many sockets) and 1013, keeping the error frame', () => {
    const { hook, sockets, clock, last } = setup();
    for (const code of [4408, 4429, 1013]) {
      last().send({ type: 'error', code: 'x', message: `closing ${code}` });
      last().serverClose(code);
      expect(hook.result.current.status).toBe('reconnecting');
      expect(hook.result.current.lastCloseCode).toBe(code);
      expect(hook.result.current.lastError).toEqual({ code: 'x', message: `closing ${code}` });
      clock.advance(hook.result.current.retryInMs!);
    }
    expect(sockets).toHaveLength(4);
  });

  it('stops on 4401, reports it once and never reconnects', () => {
    const { hook, sockets, clock, last, onUnauthorized } = setup();
    last().send(priceUpdate(1, [stock('7203', 2650)]));
    last().send({ type: 'error', code: 'unauthorized', message: 'token expired' });
    last().serverClose(4401);

    expect(hook.result.current.status).toBe('unauthorized');
    expect(hook.result.current.lastError).toEqual({ code: 'unauthorized', message: 'token expired' });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    clock.advance(120_000);
    expect(sockets).toHaveLength(1);
    expect(clock.pendingDelays()).toEqual([]);
  });

  it('stops on 4404 (the watchlist is gone) and never reconnects', () => {
    const { hook, sockets, clock, last, onUnauthorized } = setup();
    last().send({ type: 'error', code: 'not_found', message: 'watchlist not found' });
    last().serverClose(4404);

    expect(hook.result.current.status).toBe('not_found');
    expect(onUnauthorized).not.toHaveBeenCalled();
    clock.advance(120_000);
    expect(sockets).toHaveLength(1);
  });

  it('stops on 4400 (a bad request will not get better by retrying)', () => {
    const { hook, sockets, clock, last } = setup();
    last().serverClose(4400);
    expect(hook.result.current.status).toBe('failed');
    clock.advance(120_000);
    expect(sockets).toHaveLength(1);
  });

  it('drops a socket that stays silent past the stale limit and reconnects', () => {
    const { hook, sockets, clock, last } = setup({ staleAfterMs: 15_000 });
    last().send(priceUpdate(1, [stock('7203', 2650)]));
    clock.advance(14_999);
    expect(sockets).toHaveLength(1);
    clock.advance(1);
    expect(sockets[0].closedWith).toEqual({ code: 4000, reason: 'no frame in time' });
    expect(hook.result.current.status).toBe('reconnecting');
    clock.advance(hook.result.current.retryInMs!);
    expect(sockets).toHaveLength(2);
  });

  it('waits for the browser to come back online instead of retrying while offline', () => {
    let online = true;
    let wake: (() => void) | null = null;
    const network: NetworkMonitor = {
      isOnline: () => online,
      onOnline: (callback) => {
        wake = callback;
        return () => {
          wake = null;
        };
      },
    };
    const { hook, sockets, clock, last } = setup({ network });
    last().send(priceUpdate(1, [stock('7203', 2650)]));
    online = false;
    last().serverClose(1006);
    expect(hook.result.current.status).toBe('offline');
    clock.advance(60_000);
    expect(sockets).toHaveLength(1);

    online = true;
    act(() => wake!());
    expect(sockets).toHaveLength(2);
    expect(hook.result.current.status).toBe('reconnecting');
  });

  it('reconnectNow skips the wait of a scheduled retry', () => {
    const { hook, sockets, last } = setup();
    last().serverClose(1006);
    expect(sockets).toHaveLength(1);
    act(() => hook.result.current.reconnectNow());
    expect(sockets).toHaveLength(2);
  });

  it('closes its socket with 1000 on unmount and schedules nothing after', () => {
    const { hook, sockets, clock, last } = setup();
    last().send(priceUpdate(1, [stock('7203', 2650)]));
    const socket = last();
    hook.unmount();
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'view closed' });
    expect(clock.pendingDelays()).toEqual([]);
    // A late close event from the browser changes nothing.
    socket.onclose?.({ code: 1006, reason: '' });
    clock.advance(60_000);
    expect(sockets).toHaveLength(1);
  });

  it('cancels a scheduled reconnect on unmount', () => {
    const { hook, sockets, clock, last } = setup();
    last().serverClose(1012);
    expect(clock.pendingDelays()).toHaveLength(1);
    hook.unmount();
    expect(clock.pendingDelays()).toEqual([]);
    clock.advance(60_000);
    expect(sockets).toHaveLength(1);
  });

  it('moves to a new socket when the watchlist changes, closing the old one', () => {
    const { hook, sockets } = setup();
    sockets[0].send(priceUpdate(1, [stock('7203', 2650)]));
    hook.rerender({ id: 2 });
    expect(sockets).toHaveLength(2);
    expect(sockets[0].closedWith?.code).toBe(1000);
    expect(sockets[1].url).toBe('ws://gateway.test/api/v1/ws/watchlist/2/prices?token=tok%20en');
    expect(hook.result.current.rows).toEqual([]);
    expect(hook.result.current.status).toBe('connecting');
  });

  it('opens nothing without a watchlist or a token', () => {
    expect(setup({}, null).sockets).toHaveLength(0);
    expect(setup({ token: null }).sockets).toHaveLength(0);
  });
});
