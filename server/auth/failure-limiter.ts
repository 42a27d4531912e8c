import type { RequestHandler } from 'express';
import { authFailures } from '../metrics.ts';

/**
 * Throttles guessing: an address that failed authentication `limit` times within `windowMs`
 * gets 429 until its window ends. Only failures count (a 401 answer, or the answers `isFailure`
 * names), so a dashboard firing fifty requests at once is never throttled; express-rate-limit
 * counts requests in flight.
 */
export function failureLimiter(limit: number, windowMs: number, isFailure: (status: number) => boolean = (status) => status === 401): RequestHandler {
  const failures = new Map<string, { count: number; resetAt: number }>();
  return (request, response, next) => {
    const key = request.ip ?? 'unknown';
    const now = Date.now();
    const entry = failures.get(key);
    if (entry && entry.resetAt <= now) failures.delete(key);
    const current = failures.get(key);
    if (current && current.count >= limit) {
      const retryAfterS = Math.ceil((current.resetAt - now) / 1000);
      response.set('Retry-After', String(retryAfterS));
      response.status(429).json({ error: `too many failed authentications from ${key}: try again in ${retryAfterS} s` });
      return;
    }
    response.on('finish', () => {
      if (!isFailure(response.statusCode)) return;
      if (response.statusCode === 401) authFailures.inc();
      const existing = failures.get(key);
      if (existing && existing.resetAt > Date.now()) existing.count += 1;
      else failures.set(key, { count: 1, resetAt: Date.now() + windowMs });
      if (failures.size > 100_000) failures.clear();
    });
    next();
  };
}
