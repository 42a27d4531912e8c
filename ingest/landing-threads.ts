import type { Database } from '../db/database.ts';

/**
 * A landing group is many small files and a few tens of thousands of rows: one DuckDB thread does
 * it with far less CPU than several, and landings of different sources then run side by side, one
 * core each (a query on a single-threaded database runs on the thread that issued it). DuckDB's
 * `threads` is the database's setting, not a connection's: the first landing to start sets it to
 * 1 and the last to finish restores it, so overlapping landings never restore it under each other.
 */
export async function withOneThread<T>(db: Database, fn: () => Promise<T>): Promise<T> {
  let lease = leases.get(db);
  if (!lease) {
    const created: Lease = { holders: 0, ready: Promise.resolve(undefined) };
    const restoring = restores.get(db);
    created.ready = (async () => {
      // A restore still running from the last lease first ends, so this one saves the real setting.
      await restoring;
      const row = await db.one<{ threads: number }>("select current_setting('threads') as threads");
      await db.run('set threads = 1');
      return Number(row?.threads ?? 1);
    })();
    leases.set(db, created);
    lease = created;
  }
  lease.holders++;
  try {
    await lease.ready;
    return await fn();
  } finally {
    if (--lease.holders === 0) {
      leases.delete(db);
      const finished = lease.ready.then(
        (saved) => (saved !== undefined && saved !== 1 ? db.run(`set threads = ${saved}`).catch(() => {}) : undefined),
        () => undefined,
      );
      restores.set(db, finished);
      await finished;
      if (restores.get(db) === finished) restores.delete(db);
    }
  }
}

interface Lease {
  holders: number;
  /** The database's threads setting before the first landing; settled once it is set to 1. */
  ready: Promise<number | undefined>;
}

const leases = new Map<Database, Lease>();
const restores = new Map<Database, Promise<unknown>>();
