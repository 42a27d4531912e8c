import { sql, type Connection } from '../../db/database.ts';

/**
 * Captures that landed after the last build and are older than the newest capture that build saw:
 * a file dropped late, a held batch accepted, a backfill. An incremental model reads forward from
 * the latest time it built, so it would never see them; the build turns into a full refresh
 * instead. What each build saw is kept in `meta.landed_seen` (per source, entity and capture
 * instant: how many landed batches), written when a build succeeds.
 */
export type LateCapture = {
  source: string;
  entity: string;
  captured_at: string;
};

/** Reads the snapshot `snapshotLanded` just took against what the last successful build saw. */
export async function lateCaptures(connection: Connection): Promise<LateCapture[]> {
  if (!(await connection.relationKind('meta', 'landed_seen'))) return [];
  return connection.rows<LateCapture>(sql`
    select l.source, l.entity, l.captured_at::varchar as captured_at
    from meta.landed_next l
    left join meta.landed_seen s using (source, entity, captured_at)
    where (s.batches is null or l.batches > s.batches)
      and l.captured_at < (select max(captured_at) from meta.landed_seen)
    order by l.captured_at, l.source
    limit 5`);
}

/**
 * Snapshots what this build sees landed into `meta.landed_next`; `keepLandedSeen` makes it the
 * reference for the next build once this one succeeded (a failed build leaves the old one).
 */
export async function snapshotLanded(connection: Connection): Promise<boolean> {
  if (!(await connection.relationKind('ingest', 'batches'))) return false;
  await connection.run(`create schema if not exists meta`);
  await connection.run(`create or replace table meta.landed_next as
    select source, entity, captured_at, count(*) as batches
    from ingest.batches where status = 'landed' and captured_at is not null group by all`);
  return true;
}

export async function keepLandedSeen(connection: Connection): Promise<void> {
  await connection.transaction(async () => {
    await connection.run(`drop table if exists meta.landed_seen`);
    await connection.run(`alter table meta.landed_next rename to landed_seen`);
  });
}
