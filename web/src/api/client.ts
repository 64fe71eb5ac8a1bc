import { getToken } from './session';
import type { Company, LoginAnswer, Me, Watchlist } from './types';

/** A refused call: the problem details' `code` (docs/api.md), or `network` when the server could not be reached. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string | null;
  readonly errors: Record<string, string[]>;
  readonly retryAfterSeconds: number | null;

  constructor(init: {
    status: number;
    code: string;
    title?: string | null;
    detail?: string | null;
    errors?: Record<string, string[]>;
    retryAfterSeconds?: number | null;
  }) {
    super(init.title ?? init.code);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail ?? null;
    this.errors = init.errors ?? {};
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
  }
}

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler = () => {};

/** Who hears that a signed-in call answered 401 (the app signs out and shows the sign-in page). */
export function setUnauthorizedHandler(handler: UnauthorizedHandler): void {
  onUnauthorized = handler;
}

const base = '/api/v1';

function codeForStatus(status: number): string {
  switch (status) {
    case 400: return 'bad_request';
    case 401: return 'unauthorized';
    case 404: return 'not_found';
    case 405: return 'method_not_allowed';
    case 409: return 'conflict';
    case 413: return 'payload_too_large';
    case 429: return 'too_many_attempts';
    case 503: return 'unavailable';
    case 504: return 'outcome_unknown';
    default: return status >= 500 ? 'server_error' : 'http_' + status;
  }
}

async function problemFrom(response: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    const text = await response.text();
    if (text) body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's page, say): fall back to the status.
  }
  const retryAfter = Number(response.headers.get('Retry-After'));
  return new ApiError({
    status: response.status,
    code: typeof body.code === 'string' ? body.code : codeForStatus(response.status),
    title: typeof body.title === 'string' ? body.title : response.statusText,
    detail: typeof body.detail === 'string' ? body.detail : null,
    errors: typeof body.errors === 'object' && body.errors !== null ? (body.errors as Record<string, string[]>) : {},
    retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  });
}

/** How writes retry (docs/api.md, "What each status promises"). Tests replace `sleep` and `random`. */
export interface WriteRetry {
  /** Sends of one write at most, the first included. */
  attempts: number;
  /** The first wait's ceiling; it doubles per retry, up to `maxDelayMs`, with equal jitter. */
  initialDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  newKey: () => string;
}

const defaultWriteRetry: WriteRetry = {
  attempts: 4,
  initialDelayMs: 500,
  maxDelayMs: 4000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
  newKey: () => crypto.randomUUID(),
};

let writeRetry: WriteRetry = defaultWriteRetry;

/** Replaces parts of the write retry policy (tests); returns a function that restores the previous one. */
export function configureWriteRetry(overrides: Partial<WriteRetry>): () => void {
  const previous = writeRetry;
  writeRetry = { ...previous, ...overrides };
  return () => {
    writeRetry = previous;
  };
}

/** 503 (refused, nothing changed), 504 (outcome unknown) and an unreachable server are retried with the same key. */
function retryable(error: ApiError): boolean {
  return error.code === 'network' || error.status === 503 || error.status === 504;
}

async function send<T>(method: string, path: string, body: unknown, signedIn: boolean, idempotencyKey: string | null): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const token = signedIn ? getToken() : null;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;

  let response: Response;
  try {
    response = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError({ status: 0, code: 'network', title: 'The server could not be reached.' });
  }
  if (!response.ok) {
    const error = await problemFrom(response);
    if (signedIn && response.status === 401) onUnauthorized();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

function request<T>(method: string, path: string, body?: unknown, signedIn = true): Promise<T> {
  return send<T>(method, path, body, signedIn, null);
}

/**
 * A write: one fresh Idempotency-Key for the user's action, sent again with that same key after a 503, a 504
 * or a network error, a bounded number of times, so the change happens at most once. A write that still has
 * no answer throws its last error; an `outcome_unknown` then means it may or may not have happened.
 */
async function write<T>(method: string, path: string, body?: unknown, signedIn = true): Promise<T> {
  const policy = writeRetry;
  const key = policy.newKey();
  let lastError: ApiError | null = null;
  let unknown = false;
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    if (attempt > 1) {
      const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 2));
      await policy.sleep(Math.round(ceiling / 2 + policy.random() * (ceiling / 2)));
    }
    try {
      return await send<T>(method, path, body, signedIn, key);
    } catch (error) {
      if (!(error instanceof ApiError) || !retryable(error)) throw error;
      lastError = error;
      if (error.status !== 503) unknown = true;
    }
  }
  // Only when every attempt was refused (503) is it certain nothing changed.
  if (unknown && lastError!.code !== 'outcome_unknown') {
    throw new ApiError({
      status: lastError!.status,
      code: 'outcome_unknown',
      title: 'The outcome is unknown.',
      detail: lastError!.detail,
    });
  }
  throw lastError!;
}

const ticker = (symbol: string) => encodeURIComponent(symbol);

export const api = {
  register: (username: string, password: string) =>
    write<{ user_id: number; username: string }>('POST', '/auth/register', { username, password }, false),
  login: (username: string, password: string) => request<LoginAnswer>('POST', '/auth/login', { username, password }, false),
  logout: () => write<void>('POST', '/auth/logout'),
  me: () => request<Me>('GET', '/auth/me'),

  watchlists: () => request<Watchlist[]>('GET', '/watchlists'),
  watchlist: (id: number) => request<Watchlist>('GET', `/watchlists/${id}`),
  createWatchlist: (name: string) => write<Watchlist>('POST', '/watchlists', { name }),
  renameWatchlist: (id: number, name: string) => write<Watchlist>('PATCH', `/watchlists/${id}`, { name }),
  deleteWatchlist: (id: number) => write<void>('DELETE', `/watchlists/${id}`),
  putStock: (id: number, symbol: string, quantity: number, purchasePrice: number) =>
    write<Watchlist>('PUT', `/watchlists/${id}/stocks/${ticker(symbol)}`, { quantity, purchase_price: purchasePrice }),
  removeStock: (id: number, symbol: string) => write<Watchlist>('DELETE', `/watchlists/${id}/stocks/${ticker(symbol)}`),

  searchCompanies: (query: string) => request<Company[]>('GET', `/companies?q=${encodeURIComponent(query)}`, undefined, false),
  company: (symbol: string) => request<Company>('GET', `/companies/${ticker(symbol)}`, undefined, false),
};
