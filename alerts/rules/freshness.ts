import { sql, type Connection, type Row } from '../../db/database.ts';

export interface FreshnessShape {
  /** Per bucket (history) rather than one current row per source. */
  hasBucket: boolean;
  /** Per source and location rather than per source. */
  hasLocation: boolean;
  hasHeld: boolean;
}

/**
 * marts.fct_source_freshness is per (bucket, source) with `is_latest` in the marts as built, and
 * per (source, location) in an earlier sketch of the contract: the rules read whichever shape is there.
 */
export async function freshnessShape(connection: Connection): Promise<FreshnessShape> {
  const columns = new Set(
    (await connection.rows(sql`select column_name from information_schema.columns where table_schema = 'marts' and table_name = 'fct_source_freshness'`)).map((row) => String(row.column_name)),
  );
  return { hasBucket: columns.has('bucket_at'), hasLocation: columns.has('location_id'), hasHeld: columns.has('is_held') };
}

/** Sources (and locations, when the mart has them) stale at the latest bucket up to `now`. */
export async function staleNow(connection: Connection, now: Date): Promise<Row[]> {
  const shape = await freshnessShape(connection);
  const location = shape.hasLocation ? sql`location_id` : sql`null::varchar as location_id`;
  const held = shape.hasHeld ? sql`is_held` : sql`false as is_held`;
  const when = shape.hasBucket
    ? sql`and bucket_at = (select max(bucket_at) from marts.fct_source_freshness where bucket_at <= ${now.toISOString()}::timestamptz)`
    : sql``;
  return connection.rows(sql`
    select source, ${location}, last_captured_at, staleness_minutes::double as staleness_minutes, max_staleness_minutes::double as max_staleness_minutes, ${held}
    from marts.fct_source_freshness where is_stale ${when} order by source, location_id`);
}

/**
 * Mismatches of a copy that went stale: at buckets where a source (or the truth it is compared
 * with) still counted as fresh but already held the capture that then outlived max_staleness.
 * They are the outage's echo, not a sync problem; the stale-source alert covers them (one root
 * cause, one alert), so mismatch-rate alerts do not count them. Empty without bucket history.
 */
export async function phantomMismatchFilter(connection: Connection) {
  const shape = await freshnessShape(connection);
  if (!shape.hasBucket) return sql`true`;
  return sql`not exists (
    select 1 from marts.fct_source_freshness f
    join (select distinct source, last_captured_at from marts.fct_source_freshness where is_stale and last_captured_at is not null) w
      on w.source = f.source and w.last_captured_at = f.last_captured_at
    where not f.is_stale and f.bucket_at = m.bucket_at and f.source in (m.source, m.truth_source))`;
}
