import type { Database } from '../db/database.ts';

const chains = new WeakMap<Database, Promise<unknown>>();

/**
 * Serialises the alert rounds of one database inside a process: an evaluation after a build and
 * the delivery timer must not interleave their read-modify-write of the alert tables.
 */
export function withAlertLock<T>(db: Database, fn: () => Promise<T>): Promise<T> {
  const previous = chains.get(db) ?? Promise.resolve();
  const next = previous.then(fn, fn);
  chains.set(db, next.catch(() => undefined));
  return next;
}
