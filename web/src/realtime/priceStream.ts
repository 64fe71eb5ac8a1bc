import { CloseCode, parseFrame, parseUtcTimestamp, type PriceUpdateFrame, type WireTotals } from './frames';

/** The part of the browser's WebSocket the stream uses, so tests can pass a fake. */
export interface SocketLike {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => SocketLike;

/** Time, injectable so tests can step through backoff delays without waiting. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Whether the browser believes it is online, and a way to hear when that changes. */
export interface NetworkMonitor {
  isOnline(): boolean;
  /** Calls back when the browser comes back online; returns an unsubscribe function. */
  onOnline(callback: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export const browserNetwork: NetworkMonitor = {
  isOnline: () => typeof navigator === 'undefined' || navigator.onLine !== false,
  onOnline: (callback) => {
    if (typeof window === 'undefined') return () => {};
    window.addEventListener('online', callback);
    return () => window.removeEventListener('online', callback);
  },
};

export const browserSocketFactory: SocketFactory = (url) => new WebSocket(url) as unknown as SocketLike;

/**
 * connecting: first attempt, nothing received yet. live: frames are arriving. reconnecting: the socket
 * dropped and a new attempt is scheduled or under way. offline: the browser is offline; the next attempt
 * waits for it to come back. unauthorized (4401), not_found (4404), failed (4400 or another 44xx): the
 * server refused the stream for good and nothing is retried.
 */
export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'unauthorized' | 'not_found' | 'failed';

export type PriceDirection = 'up' | 'down' | null;

export interface PriceRow {
  companyId: number;
  tickerSymbol: string;
  companyName: string;
  price: number;
  change: number;
  changePercent: number;
  quantity: number;
  purchasePrice: number;
  unrealizedPl: number;
  /** How the price moved in the frame that last changed it. */
  direction: PriceDirection;
  /** Grows each time the price changes, so a view can restart its flash animation. */
  flashKey: number;
  /** Prices seen on the stream since the view opened (kept across reconnects), oldest first. */
  history: readonly number[];
}

export interface Totals {
  marketValue: number;
  cost: number;
  unrealizedPl: number;
  dayChange: number;
}

export interface SequenceGap {
  expected: number;
  received: number;
}

export interface RealtimeState {
  status: ConnectionStatus;
  rows: readonly PriceRow[];
  totals: Totals | null;
  /** The `timestamp` of the newest frame (UTC), or null before the first one. */
  lastUpdate: Date | null;
  /** The `sequence` of the newest frame on the current socket (0 before any). */
  sequence: number;
  /** Number of sequence gaps seen (frames missed on a socket, which a healthy socket never shows). */
  gaps: number;
  lastGap: SequenceGap | null;
  /** Failed attempts since the last frame; 0 while live. */
  failures: number;
  /** Delay before the next attempt while reconnecting, else null. */
  retryInMs: number | null;
  /** The last error frame or close reason the server gave. */
  lastError: { code: string; message: string } | null;
  /** Close code of the last socket, or null while none closed. */
  lastCloseCode: number | null;
}

export interface BackoffOptions {
  /** First ceiling; doubles per failed attempt. */
  initialMs: number;
  maxMs: number;
}

export const defaultBackoff: BackoffOptions = { initialMs: 500, maxMs: 10_000 };

/** Longest time a socket may stay silent (the server sends a frame at least every 5 s) before it is dropped. */
export const defaultStaleAfterMs = 15_000;

/** Sparkline points kept per ticker. */
export const historyLimit = 120;

/**
 * Delay before the attempt that follows `failures` failed ones: the ceiling starts at `initialMs`, doubles
 * per failure up to `maxMs`, and the delay is drawn uniformly from [ceiling/2, ceiling) ("equal jitter",
 * as the .NET client does), so a restarted server is not hit by every client at the same instant.
 */
export function backoffDelay(failures: number, random: () => number, options: BackoffOptions = defaultBackoff): number {
  const exponent = Math.max(0, failures - 1);
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(exponent, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export interface PriceStreamOptions {
  url: string;
  socketFactory?: SocketFactory;
  clock?: Clock;
  random?: () => number;
  network?: NetworkMonitor;
  backoff?: BackoffOptions;
  staleAfterMs?: number;
  onChange: (state: RealtimeState) => void;
  onUnauthorized?: () => void;
  onGap?: (gap: SequenceGap) => void;
}

export const initialRealtimeState: RealtimeState = {
  status: 'connecting',
  rows: [],
  totals: null,
  lastUpdate: null,
  sequence: 0,
  gaps: 0,
  lastGap: null,
  failures: 0,
  retryInMs: null,
  lastError: null,
  lastCloseCode: null,
};

function readTotals(totals: WireTotals | undefined): Totals | null {
  if (!totals) return null;
  return {
    marketValue: totals.market_value,
    cost: totals.cost,
    unrealizedPl: totals.unrealized_pl,
    dayChange: totals.day_change,
  };
}

/**
 * One watchlist stream: a single socket at a time, reconnected with backoff until stopped or refused for
 * good. The React hook is a thin wrapper; this class holds the logic so it can be driven step by step.
 */
export class PriceStream {
  private readonly options: Required<Omit<PriceStreamOptions, 'onUnauthorized' | 'onGap'>> &
    Pick<PriceStreamOptions, 'onUnauthorized' | 'onGap'>;
  private state: RealtimeState = initialRealtimeState;
  private socket: SocketLike | null = null;
  private retryTimer: unknown = null;
  private staleTimer: unknown = null;
  private stopOnline: (() => void) | null = null;
  private stopped = false;
  private expectedSequence = 1;
  private readonly history = new Map<string, number[]>();
  private readonly flashKeys = new Map<string, number>();
  private readonly directions = new Map<string, PriceDirection>();
  private rowsByTicker = new Map<string, PriceRow>();

  constructor(options: PriceStreamOptions) {
    this.options = {
      ...options,
      socketFactory: options.socketFactory ?? browserSocketFactory,
      clock: options.clock ?? systemClock,
      random: options.random ?? Math.random,
      network: options.network ?? browserNetwork,
      backoff: options.backoff ?? defaultBackoff,
      staleAfterMs: options.staleAfterMs ?? defaultStaleAfterMs,
    };
  }

  get current(): RealtimeState {
    return this.state;
  }

  start(): void {
    if (this.stopped) return;
    this.connect();
  }

  /** Closes the socket (1000) and cancels every timer; nothing happens after this. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clearRetry();
    this.clearStale();
    this.stopOnline?.();
    this.stopOnline = null;
    this.dropSocket(CloseCode.Normal, 'view closed');
  }

  /** Skips the wait of a scheduled retry (the badge's "Retry now"). */
  reconnectNow(): void {
    if (this.stopped || this.socket !== null || !this.isRetrying()) return;
    this.clearRetry();
    this.connect();
  }

  private isRetrying(): boolean {
    return this.state.status === 'reconnecting' || this.state.status === 'offline';
  }

  private connect(): void {
    this.stopOnline?.();
    this.stopOnline = null;
    const everConnected = this.state.lastUpdate !== null || this.state.failures > 0 || this.state.lastCloseCode !== null;
    this.update({ status: everConnected ? 'reconnecting' : 'connecting', retryInMs: null });
    this.expectedSequence = 1;

    let socket: SocketLike;
    try {
      socket = this.options.socketFactory(this.options.url);
    } catch {
      this.scheduleRetry(CloseCode.Abnormal, '');
      return;
    }
    this.socket = socket;
    socket.onmessage = (event) => {
      if (this.socket === socket) this.receive(event.data);
    };
    socket.onclose = (event) => {
      if (this.socket === socket) this.closed(event.code, event.reason);
    };
    // A failed connection is followed by a close event; the close decides what happens next.
    socket.onerror = () => {};
    socket.onopen = () => {};
    this.armStaleTimer();
  }

  private receive(data: unknown): void {
    const frame = parseFrame(data);
    if (frame === null) return;
    if (frame.type === 'error') {
      const error = frame as { code?: unknown; message?: unknown };
      this.update({ lastError: { code: String(error.code ?? 'error'), message: String(error.message ?? '') } });
      return;
    }

    const sequence = (frame as { sequence?: unknown }).sequence;
    if (typeof sequence === 'number') this.checkSequence(sequence);
    this.armStaleTimer();

    if (frame.type === 'price_update') {
      this.applyPriceUpdate(frame as PriceUpdateFrame);
    } else if (this.state.status !== 'live' && typeof sequence === 'number') {
      this.update({ status: 'live', failures: 0, retryInMs: null });
    }
  }

  private checkSequence(sequence: number): void {
    if (sequence !== this.expectedSequence) {
      const gap = { expected: this.expectedSequence, received: sequence };
      this.update({ gaps: this.state.gaps + 1, lastGap: gap });
      this.options.onGap?.(gap);
    }
    this.expectedSequence = sequence + 1;
  }

  private applyPriceUpdate(frame: PriceUpdateFrame): void {
    const stocks = Array.isArray(frame.stocks) ? frame.stocks : [];
    // The stream is opened in the default (full) mode: every frame lists every stock, so a stock missing
    // from a frame was removed from the watchlist.
    const next = new Map<string, PriceRow>();

    for (const stock of stocks) {
      const ticker = stock.ticker_symbol;
      const previous = this.rowsByTicker.get(ticker);
      let direction = this.directions.get(ticker) ?? null;
      let flashKey = this.flashKeys.get(ticker) ?? 0;
      const points = this.history.get(ticker) ?? [];
      if (previous !== undefined && previous.price !== stock.current_price) {
        direction = stock.current_price > previous.price ? 'up' : 'down';
        flashKey += 1;
      }
      if (points.length === 0 || points[points.length - 1] !== stock.current_price) {
        points.push(stock.current_price);
        if (points.length > historyLimit) points.splice(0, points.length - historyLimit);
      }
      this.history.set(ticker, points);
      this.directions.set(ticker, direction);
      this.flashKeys.set(ticker, flashKey);
      next.set(ticker, {
        companyId: stock.company_id,
        tickerSymbol: ticker,
        companyName: stock.company_name,
        price: stock.current_price,
        change: stock.change,
        changePercent: stock.change_percent,
        quantity: stock.quantity,
        purchasePrice: stock.purchase_price,
        unrealizedPl: stock.unrealized_pl,
        direction,
        flashKey,
        history: points.slice(),
      });
    }
    this.rowsByTicker = next;

    this.update({
      status: 'live',
      rows: Array.from(next.values()),
      totals: readTotals(frame.totals) ?? this.state.totals,
      lastUpdate: parseUtcTimestamp(frame.timestamp) ?? new Date(this.options.clock.now()),
      sequence: typeof frame.sequence === 'number' ? frame.sequence : this.state.sequence,
      failures: 0,
      retryInMs: null,
    });
  }

  private closed(code: number, reason: string): void {
    this.socket = null;
    this.clearStale();
    if (this.stopped) return;

    const lastError = reason ? { code: this.state.lastError?.code ?? String(code), message: reason } : this.state.lastError;
    if (code === CloseCode.Unauthorized) {
      this.update({ status: 'unauthorized', lastCloseCode: code, lastError, retryInMs: null });
      this.options.onUnauthorized?.();
      return;
    }
    if (code === CloseCode.NotFound) {
      this.update({ status: 'not_found', lastCloseCode: code, lastError, retryInMs: null });
      return;
    }
    if (code >= 4400 && code <= 4499 && code !== CloseCode.SlowConsumer && code !== CloseCode.TooManySockets) {
      this.update({ status: 'failed', lastCloseCode: code, lastError, retryInMs: null });
      return;
    }
    this.scheduleRetry(code, reason);
  }

  private scheduleRetry(code: number, reason: string): void {
    const failures = this.state.failures + 1;
    const lastError = reason ? { code: this.state.lastError?.code ?? String(code), message: reason } : this.state.lastError;
    if (!this.options.network.isOnline()) {
      this.update({ status: 'offline', failures, retryInMs: null, lastCloseCode: code, lastError });
      this.stopOnline = this.options.network.onOnline(() => {
        if (!this.stopped && this.socket === null && this.retryTimer === null) this.connect();
      });
      return;
    }
    const delay = backoffDelay(failures, this.options.random, this.options.backoff);
    this.update({ status: 'reconnecting', failures, retryInMs: delay, lastCloseCode: code, lastError });
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.connect();
    }, delay);
  }

  /** A socket that says nothing for too long (no frame, not even the 5 s refresh) is treated as dropped. */
  private armStaleTimer(): void {
    this.clearStale();
    const socket = this.socket;
    this.staleTimer = this.options.clock.setTimeout(() => {
      this.staleTimer = null;
      if (this.stopped || this.socket !== socket || socket === null) return;
      this.dropSocket(CloseCode.ClientStale, 'no frame in time');
      this.scheduleRetry(CloseCode.ClientStale, '');
    }, this.options.staleAfterMs);
  }

  private dropSocket(code: number, reason: string): void {
    const socket = this.socket;
    this.socket = null;
    if (socket === null) return;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
    socket.onopen = null;
    try {
      socket.close(code, reason);
    } catch {
      // Closing a socket that never opened can throw in some browsers; it is gone either way.
    }
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) this.options.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private clearStale(): void {
    if (this.staleTimer !== null) this.options.clock.clearTimeout(this.staleTimer);
    this.staleTimer = null;
  }

  private update(patch: Partial<RealtimeState>): void {
    this.state = { ...this.state, ...patch };
    this.options.onChange(this.state);
  }
}
