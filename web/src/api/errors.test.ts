import { describe, expect, it } from 'vitest';
import { ApiError } from './client';
import { describeError } from './errors';

const problem = (code: string, status: number, extra: Partial<ConstructorParameters<typeof ApiError>[0]> = {}) =>
  new ApiError({ code, status, ...extra });

describe('describeError', () => {
  it('names each invalid field from validation_failed', () => {
    const error = problem('validation_failed', 400, {
      errors: { quantity: ['must be a number greater than 0 and at most 1000000000'] },
    });
    expect(describeError(error, 'edit-stock')).toBe(
      'Please correct: Quantity must be a number greater than 0 and at most 1000000000.',
    );
  });

  it('words unauthorized for a failed sign-in apart from an ended session', () => {
    expect(describeError(problem('unauthorized', 401), 'login')).toBe('Wrong username or password.');
    expect(describeError(problem('unauthorized', 401), 'load-watchlists')).toBe('Your session has ended. Please sign in again.');
  });

  it('says when to try again after too_many_attempts', () => {
    expect(describeError(problem('too_many_attempts', 429, { retryAfterSeconds: 30 }), 'login')).toBe(
      'Too many failed sign-ins for this username. Try again in 30 seconds.',
    );
  });

  it('has a message for every documented code', () => {
    const codes = ['validation_failed', 'bad_request', 'unauthorized', 'not_found', 'conflict', 'limit_reached',
      'method_not_allowed', 'payload_too_large', 'too_many_attempts', 'unavailable', 'websocket_required', 'network',
      'outcome_unknown', 'idempotency_key_reused'];
    for (const code of codes) {
      const text = describeError(problem(code, 400), 'add-stock');
      expect(text.length).toBeGreaterThan(10);
      expect(text).not.toContain('undefined');
    }
    expect(describeError(problem('conflict', 409), 'register')).toBe('That username is already taken. Choose another one, or sign in.');
    expect(describeError(problem('limit_reached', 409), 'create-watchlist')).toBe(
      'You already have 50 watchlists, the most allowed. Delete one first.',
    );
  });
});
