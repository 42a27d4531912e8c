import { ConfigError } from '../core/errors.ts';
import { sql, type Database } from '../db/database.ts';

/** The capture time of the newest batch any source landed: where the data ends. Undefined without data. */
export async function latestCapture(db: Database): Promise<Date | undefined> {
  const row = await db.withConnection((connection) =>
    connection.one(sql`select strftime(max(captured_at) at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') as at from ingest.batches where status = 'landed'`),
  );
  return row?.at ? new Date(String(row.at)) : undefined;
}

/**
 * The instant an evaluation is "now" for: the wall clock by default, `latest` for the data's latest
 * capture (replayed or simulated data that ends in the past: windows like "the last 24 h" then
 * cover the data's last day, not an empty one), or an ISO time.
 */
export async function evaluationTime(db: Database, at: string | undefined, now = new Date()): Promise<Date> {
  if (at === undefined || at === 'now') return now;
  if (at === 'latest') {
    const latest = await latestCapture(db);
    if (!latest) throw new ConfigError('--at latest: no batch has landed yet, so the data has no latest capture (run `stocklens ingest` first)');
    return latest;
  }
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) throw new ConfigError(`--at ${at}: not an ISO time (for example 2026-11-23T07:00:00Z), "latest" or "now"`);
  return date;
}
