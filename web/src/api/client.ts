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

async function request<T>(method: string, path: string, body?: unknown, signedIn = true): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const token = signedIn ? getToken() : null;
  if (token) headers.Authorization = `Bearer ${token}`;

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

const ticker = (symbol: string) => encodeURIComponent(symbol);

export const api = {
  register: (username: string, password: string) =>
    request<{ user_id: number; username: string }>('POST', '/auth/register', { username, password }, false),
  login: (username: string, password: string) => request<LoginAnswer>('POST', '/auth/login', { username, password }, false),
  logout: () => request<void>('POST', '/auth/logout'),
  me: () => request<Me>('GET', '/auth/me'),

  watchlists: () => request<Watchlist[]>('GET', '/watchlists'),
  watchlist: (id: number) => request<Watchlist>('GET', `/watchlists/${id}`),
  createWatchlist: (name: string) => request<Watchlist>('POST', '/watchlists', { name }),
  renameWatchlist: (id: number, name: string) => request<Watchlist>('PATCH', `/watchlists/${id}`, { name }),
  deleteWatchlist: (id: number) => request<void>('DELETE', `/watchlists/${id}`),
  putStock: (id: number, symbol: string, quantity: number, purchasePrice: number) =>
    request<Watchlist>('PUT', `/watchlists/${id}/stocks/${ticker(symbol)}`, { quantity, purchase_price: purchasePrice }),
  removeStock: (id: number, symbol: string) => request<Watchlist>('DELETE', `/watchlists/${id}/stocks/${ticker(symbol)}`),

  searchCompanies: (query: string) => request<Company[]>('GET', `/companies?q=${encodeURIComponent(query)}`, undefined, false),
  company: (symbol: string) => request<Company>('GET', `/companies/${ticker(symbol)}`, undefined, false),
};
