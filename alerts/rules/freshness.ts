import { sql, type Connection, type Row } from '../../db/database.ts';

/** Sources stale at the latest bucket of marts.fct_source_freshness up to `now`. */
export async function staleNow(connection: Connection, now: Date): Promise<Row[]> {
  return connection.rows(sql`
    select source, last_captured_at, staleness_minutes::double as staleness_minutes, max_staleness_minutes::double as max_staleness_minutes, is_held
    from marts.fct_source_freshness
    where is_stale and bucket_at = (select max(bucket_at) from marts.fct_source_freshness where bucket_at <= ${now.toISOString()}::timestamptz)
    order by source`);
}

/**
 * Mismatches of a copy that went stale: at buckets where a source (or the truth it is compared
 * with) still counted as fresh but already held the capture that then outlived max_staleness.
 * They are the outage's echo, not a sync problem; the stale-source alert covers them (one root
 * cause, one alert), so mismatch-rate alerts do not count them.
 */
export function phantomMismatchFilter() {
  return sql`not exists (
    select 1 from marts.fct_source_freshness f
    join (select distinct source, last_captured_at from marts.fct_source_freshness where is_stale and last_captured_at is not null) w
      on w.source = f.source and w.last_captured_at = f.last_captured_at
    where not f.is_stale and f.bucket_at = m.bucket_at and f.source in (m.source, m.truth_source))`;
}
