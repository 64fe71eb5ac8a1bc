import { useCallback, useEffect, useRef, useState } from 'react';
import {
  initialRealtimeState,
  PriceStream,
  type BackoffOptions,
  type Clock,
  type NetworkMonitor,
  type RealtimeState,
  type SequenceGap,
  type SocketFactory,
} from './priceStream';
import { getToken } from '../api/session';

export interface RealtimeOptions {
  /** Bearer token for `?token=`; defaults to the signed-in session's. */
  token?: string | null;
  /** Origin of the gateway as ws:// or wss://; defaults to the page's own origin. */
  baseUrl?: string;
  socketFactory?: SocketFactory;
  clock?: Clock;
  random?: () => number;
  network?: NetworkMonitor;
  backoff?: BackoffOptions;
  staleAfterMs?: number;
  /** Called once when the server closes with 4401 (token expired or logged out). */
  onUnauthorized?: () => void;
  onGap?: (gap: SequenceGap) => void;
}

export interface RealtimePrices extends RealtimeState {
  /** Skips the wait before the next reconnect attempt. */
  reconnectNow: () => void;
}

export function pageWebSocketOrigin(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}`;
}

export function watchlistStreamUrl(baseUrl: string, watchlistId: number, token: string): string {
  return `${baseUrl}/api/v1/ws/watchlist/${encodeURIComponent(String(watchlistId))}/prices?token=${encodeURIComponent(token)}`;
}

/**
 * Keeps one watchlist's prices live: one socket per mounted view, reconnected with exponential backoff and
 * jitter, closed on unmount. Stops for good on 4401 (calls onUnauthorized) and 4404 (status not_found).
 */
export function useRealtimePrices(watchlistId: number | null, options: RealtimeOptions = {}): RealtimePrices {
  const [state, setState] = useState<RealtimeState>(initialRealtimeState);
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const streamRef = useRef<PriceStream | null>(null);
  const token = options.token === undefined ? getToken() : options.token;

  useEffect(() => {
    setState(initialRealtimeState);
    if (watchlistId === null || !token) return undefined;
    const current = optionsRef.current;
    const stream = new PriceStream({
      url: watchlistStreamUrl(current.baseUrl ?? pageWebSocketOrigin(), watchlistId, token),
      socketFactory: current.socketFactory,
      clock: current.clock,
      random: current.random,
      network: current.network,
      backoff: current.backoff,
      staleAfterMs: current.staleAfterMs,
      onChange: setState,
      onUnauthorized: () => optionsRef.current.onUnauthorized?.(),
      onGap: (gap) => optionsRef.current.onGap?.(gap),
    });
    streamRef.current = stream;
    stream.start();
    return () => {
      stream.stop();
      if (streamRef.current === stream) streamRef.current = null;
    };
  }, [watchlistId, token]);

  const reconnectNow = useCallback(() => streamRef.current?.reconnectNow(), []);
  return { ...state, reconnectNow };
}
