import type { RequestHandler, Response } from 'express';
import { authFailures } from '../metrics.ts';
import { principalOf } from './authenticate.ts';

/**
 * Throttles guessing: an address that failed authentication `limit` times within `windowMs` gets
 * 429 until its window ends. Only failures count (a 401 answer), so a dashboard firing fifty
 * requests at once is never throttled. Guessed tokens count against the address they came from; a
 * stale session cookie (an expired or ended session) does not count at all: it is a browser that
 * needs to sign in again, not a guess (session ids are 256 random bits). Valid credentials always
 * pass, so a guesser sharing an address (an office, a proxy without `server.trust_proxy`) cannot
 * lock the others out.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds until `key` may try again, or undefined when it is not locked out. */
  lockedFor(key: string, now = Date.now()): number | undefined {
    const entry = this.failures.get(key);
    if (entry && entry.resetAt <= now) this.failures.delete(key);
    const current = this.failures.get(key);
    return current && current.count >= this.limit ? Math.ceil((current.resetAt - now) / 1000) : undefined;
  }

  /** Counts a failure of `key`; `authentication` says it was a failed authentication (the metric). */
  fail(key: string, authentication = true): void {
    if (authentication) authFailures.inc();
    const existing = this.failures.get(key);
    if (existing && existing.resetAt > Date.now()) existing.count += 1;
    else this.failures.set(key, { count: 1, resetAt: Date.now() + this.windowMs });
    if (this.failures.size > 100_000) this.failures.clear();
  }

  /** Answers 429 for a locked key; true when it did. */
  refuse(key: string, address: string, response: Response): boolean {
    const retryAfterS = this.lockedFor(key);
    if (retryAfterS === undefined) return false;
    response.set('Retry-After', String(retryAfterS));
    response.status(429).json({ error: `too many failed authentications from ${address}: try again in ${retryAfterS} s` });
    return true;
  }

  /** The API's side (after `authenticate`): sign-in counts its own failures, with the token it was given. */
  middleware(): RequestHandler {
    return (request, response, next) => {
      if (principalOf(response) || request.path === '/login' || response.locals.credentials === 'session') return next();
      const key = request.ip ?? 'unknown';
      if (this.refuse(key, request.ip ?? 'unknown', response)) return;
      response.on('finish', () => {
        if (response.statusCode === 401) this.fail(key);
      });
      next();
    };
  }
}

/**
 * The same throttle for callers without credentials of their own (Shopify's signed webhooks):
 * an address whose answers `isFailure` names `limit` times within `windowMs` gets 429 for every
 * request until its window ends.
 */
export function failureLimiter(limit: number, windowMs: number, isFailure: (status: number) => boolean = (status) => status === 401): RequestHandler {
  const limiter = new FailureLimiter(limit, windowMs);
  return (request, response, next) => {
    const key = request.ip ?? 'unknown';
    if (limiter.refuse(key, key, response)) return;
    response.on('finish', () => {
      if (isFailure(response.statusCode)) limiter.fail(key, response.statusCode === 401);
    });
    next();
  };
}
