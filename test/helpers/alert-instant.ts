import type { Database } from '../../db/database.ts';

/**
 * An instant of the built data when some SKU had been wrong long enough to alert on as an open
 * mismatch (found in the mart, not assumed): an hour into a mismatched segment that lasts two more
 * hours, 13 h or more into its episode. Undefined when the data has none.
 */
export async function openMismatchInstant(db: Database): Promise<Date | undefined> {
  const row = await db.withConnection((connection) =>
    connection.one(`
      select strftime((segment_from + interval 1 hour) at time zone 'UTC', '%Y-%m-%dT%H:%M:%SZ') as at from marts.fct_mismatch_segment
      where coalesce(segment_to, 'infinity'::timestamptz) > segment_from + interval 2 hours and segment_from >= episode_from + interval 13 hours
      order by segment_from desc limit 1`),
  );
  return row ? new Date(String(row.at)) : undefined;
}
