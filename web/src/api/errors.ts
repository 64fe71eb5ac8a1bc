import { ApiError } from './client';

/** What the user was doing, so one code can read right in each place. */
export type Action =
  | 'register'
  | 'login'
  | 'logout'
  | 'load-watchlists'
  | 'load-watchlist'
  | 'create-watchlist'
  | 'rename-watchlist'
  | 'delete-watchlist'
  | 'add-stock'
  | 'edit-stock'
  | 'remove-stock'
  | 'search';

const fieldNames: Record<string, string> = {
  username: 'Username',
  password: 'Password',
  name: 'Name',
  quantity: 'Quantity',
  purchase_price: 'Purchase price',
  ticker_symbol: 'Ticker',
  'Idempotency-Key': 'Request key',
};

function fieldErrors(error: ApiError): string {
  const parts = Object.entries(error.errors).map(([field, messages]) => {
    const name = fieldNames[field] ?? field;
    return `${name} ${(Array.isArray(messages) ? messages : [String(messages)]).join('; ')}`;
  });
  return parts.join('. ');
}

/**
 * One clear sentence for every problem `code` the API returns (docs/api.md), worded for what the user was
 * doing. Unknown codes fall back to the server's own title and detail.
 */
export function describeError(error: unknown, action: Action): string {
  if (!(error instanceof ApiError)) return 'Something went wrong in the page. Reload it and try again.';
  switch (error.code) {
    case 'network':
      return 'The server could not be reached. Check that ActorQuotes is running, then try again.';
    case 'validation_failed': {
      const fields = fieldErrors(error);
      return fields ? `Please correct: ${fields}.` : 'Some of what you entered is not valid.';
    }
    case 'bad_request':
      return 'The server could not read that request. Check the numbers you entered.';
    case 'unauthorized':
      return action === 'login'
        ? 'Wrong username or password.'
        : 'Your session has ended. Please sign in again.';
    case 'not_found':
      switch (action) {
        case 'add-stock': return 'That ticker is not in the catalog.';
        case 'edit-stock':
        case 'remove-stock': return 'That stock is no longer in this watchlist (or the watchlist was deleted).';
        default: return 'This watchlist no longer exists. It may have been deleted in another window.';
      }
    case 'conflict':
      return action === 'register'
        ? 'That username is already taken. Choose another one, or sign in.'
        : 'That request conflicts with an earlier one. Reload and try again.';
    case 'limit_reached':
      return action === 'create-watchlist'
        ? 'You already have 50 watchlists, the most allowed. Delete one first.'
        : 'This watchlist already holds 200 stocks, the most allowed. Remove one first.';
    case 'too_many_attempts': {
      const wait = error.retryAfterSeconds;
      return wait
        ? `Too many failed sign-ins for this username. Try again in ${wait} second${wait === 1 ? '' : 's'}.`
        : 'Too many failed sign-ins for this username. Wait a little and try again.';
    }
    case 'unavailable':
      return 'The service is busy or cannot reach its database right now. Nothing was changed; please try again.';
    case 'outcome_unknown':
      return 'The server did not confirm this change in time, so it may or may not have been saved. Reload to see, then try again if needed.';
    case 'idempotency_key_reused':
      return 'That request clashed with an earlier one. Reload and try again.';
    case 'payload_too_large':
      return 'That request is too large.';
    case 'method_not_allowed':
    case 'websocket_required':
    case 'unsupported_media_type':
      return `The server refused the request (${error.code}). Reload the page; it may be out of date.`;
    default: {
      const text = [error.message, error.detail].filter(Boolean).join(' ');
      return text ? `${text} (${error.code})` : `The server answered ${error.status} (${error.code}).`;
    }
  }
}
