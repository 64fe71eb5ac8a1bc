// Shapes of the watchlist stream's frames (docs/protocol.md), as the server writes them.

export interface WireStock {
  company_id: number;
  ticker_symbol: string;
  company_name: string;
  current_price: number;
  change: number;
  change_percent: number;
  quantity: number;
  purchase_price: number;
  unrealized_pl: number;
}

export interface WireTotals {
  market_value: number;
  cost: number;
  unrealized_pl: number;
  day_change: number;
}

export interface PriceUpdateFrame {
  type: 'price_update';
  watchlist_id: number;
  stocks: WireStock[];
  timestamp: string;
  sequence: number;
  totals?: WireTotals;
  removed?: string[];
}

export interface HeartbeatFrame {
  type: 'heartbeat';
  sequence: number;
  timestamp: string;
}

export interface ErrorFrame {
  type: 'error';
  code: string;
  message: string;
}

export type Frame = PriceUpdateFrame | HeartbeatFrame | ErrorFrame | { type: string; sequence?: number };

/** Parses one text message; null for anything that is not a JSON object with a string `type`. */
export function parseFrame(data: unknown): Frame | null {
  if (typeof data !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || typeof (value as { type?: unknown }).type !== 'string') return null;
  return value as Frame;
}

/**
 * The stream writes UTC timestamps without an offset (`2025-11-09T16:00:00`, the prototype's format);
 * read them as UTC, not as local time.
 */
export function parseUtcTimestamp(text: string): Date | null {
  if (typeof text !== 'string' || text.length === 0) return null;
  const hasOffset = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text);
  const date = new Date(hasOffset ? text : `${text}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** WebSocket close codes the server uses (src/Contracts/Sessions/CloseCodes.cs). */
export const CloseCode = {
  Normal: 1000,
  Abnormal: 1006,
  ServiceRestart: 1012,
  TryAgainLater: 1013,
  BadRequest: 4400,
  Unauthorized: 4401,
  NotFound: 4404,
  SlowConsumer: 4408,
  TooManySockets: 4429,
  /** Quote stream only: too many bad client messages in a short time. */
  TooManyBadMessages: 4422,
  /** Sent by this client when it gives up on a silent socket. */
  ClientStale: 4000,
} as const;
