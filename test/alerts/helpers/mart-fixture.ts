import { sql, type Database } from '../../../db/database.ts';
import { ensureLandingSchema } from '../../../ingest/ensure-schema.ts';
import { createBuiltMartTables } from '../../helpers/built-mart-tables.ts';

/** The day the fixtures call today, and the evaluation time on it (a Monday, 10:00 UTC). */
export const today = '2026-11-23';
export const now = new Date('2026-11-23T10:00:00Z');

/** The marts the alert rules read. */
const alertMarts = ['agg_mismatch_rate', 'fct_mismatch', 'fct_mismatch_segment', 'fct_order_line', 'rpt_sync_priority', 'rpt_weekly_health', 'fct_source_freshness'];
const mismatchColumns = sql`(bucket_at, location_id, sku, source, truth_source, truth_units, system_units, diff_units, direction, probable_cause)`;
const freshnessColumns = sql`(bucket_at, source, system, last_captured_at, staleness_minutes, max_staleness_minutes, is_held, is_stale, is_latest)`;

/**
 * The marts the alert rules read, in the shape the real models build them (test/helpers/built-mart-tables.ts;
 * rows go in by column name), created in a real DuckDB file with a small, deterministic story: 28 quiet days at ~2% mismatch for every (location, source), then
 * today's incidents as the options say.
 */
export async function createMarts(db: Database): Promise<void> {
  await ensureLandingSchema(db);
  await db.withConnection((connection) => createBuiltMartTables(connection, alertMarts));
  // Baseline: 28 days of 200 comparisons with 3 to 5 mismatches (1.5% to 2.5%), per location and source.
  await db.run(sql`
    insert into marts.agg_mismatch_rate (day, location_id, source, compared, mismatched, mismatch_rate)
    select d::date, l, s, 200, 3 + (extract(day from d)::int % 3), (3 + (extract(day from d)::int % 3)) / 200.0
    from range(${today}::date - 28, ${today}::date, interval 1 day) t(d), (values ('WH-EAST'), ('WH-WEST')) l(l), (values ('shopify'), ('erp')) s(s)`);
  await db.run(sql`
    insert into marts.fct_source_freshness ${freshnessColumns} values
      (${'2026-11-23T10:00:00Z'}::timestamptz, 'wms', 'wms', ${'2026-11-23T09:45:00Z'}::timestamptz, 15, 120, false, false, true),
      (${'2026-11-23T10:00:00Z'}::timestamptz, 'shopify', 'ecommerce', ${'2026-11-23T09:30:00Z'}::timestamptz, 30, 120, false, false, true)`);
  await setQuietToday(db);
}

/** Today without incidents: every (location, source) at its usual 2%. */
export async function setQuietToday(db: Database): Promise<void> {
  await db.run(sql`delete from marts.agg_mismatch_rate where day = ${today}::date`);
  await db.run(sql`delete from marts.fct_mismatch where bucket_at >= ${today}::timestamptz`);
  await db.run(sql`
    insert into marts.agg_mismatch_rate (day, location_id, source, compared, mismatched, mismatch_rate) select ${today}::date, l, s, 200, 4, 0.02
    from (values ('WH-EAST'), ('WH-WEST')) l(l), (values ('shopify'), ('erp')) s(s)`);
}

/** Shopify at WH-EAST disagrees with the WMS on 24 of 200 comparisons today: 6 SKUs × 4 buckets. */
export async function injectEastShopifyIncident(db: Database): Promise<void> {
  await db.run(sql`update marts.agg_mismatch_rate set mismatched = 24, mismatch_rate = 0.12 where day = ${today}::date and location_id = 'WH-EAST' and source = 'shopify'`);
  const causes = ['unsynced_adjustment', 'sync_lag', 'reservation_ignored', 'transfer_not_reflected', 'return_before_qc', 'unknown'];
  for (let sku = 1; sku <= 6; sku++) {
    for (let hour = 6; hour <= 9; hour++) {
      const over = sku <= 3;
      const truth = 10 * sku;
      const diff = over ? sku + 1 : -(sku + 1);
      await db.run(sql`
        insert into marts.fct_mismatch ${mismatchColumns} values (${`2026-11-23T0${hour}:00:00Z`}::timestamptz, 'WH-EAST', ${`SKU-00${sku}`}, 'shopify', 'wms',
          ${truth}, ${truth + diff}, ${diff}, ${over ? 'over' : 'under'}, ${causes[sku - 1]})`);
    }
  }
  // The ERP disagrees on one of those SKUs at the same bucket: shown beside Shopify's figure.
  await db.run(sql`insert into marts.fct_mismatch ${mismatchColumns} values (${'2026-11-23T09:00:00Z'}::timestamptz, 'WH-EAST', 'SKU-001', 'erp', 'wms', 10, 7, -3, 'under', 'unsynced_adjustment')`);
}

/**
 * The ERP's last capture is 12 h old at the bucket `at` (default: now): it counts as stale from that
 * bucket on, and the mismatches it shows at WH-WEST today are phantoms of its stale copy.
 */
export async function injectErpStale(db: Database, at: Date = now): Promise<void> {
  const captured = new Date(at.getTime() - 12 * 3_600_000);
  await db.run(sql`
    insert into marts.fct_source_freshness ${freshnessColumns}
    values (${at.toISOString()}::timestamptz, 'erp', 'erp', ${captured.toISOString()}::timestamptz, 720, 120, false, true, ${at.getTime() === now.getTime()})`);
  await db.run(sql`update marts.agg_mismatch_rate set mismatched = 60, mismatch_rate = 0.3 where day = ${today}::date and location_id = 'WH-WEST' and source = 'erp'`);
  await db.run(sql`insert into marts.fct_mismatch ${mismatchColumns} values (${'2026-11-23T09:00:00Z'}::timestamptz, 'WH-WEST', 'SKU-010', 'erp', 'wms', 5, 9, 4, 'over', 'sync_lag')`);
}

export async function injectOversells(db: Database): Promise<void> {
  await db.run(sql`
    insert into marts.fct_order_line (order_id, line_id, channel, placed_at, sku, quantity, location_id, status, cancel_reason, stock_cause, is_oversell, is_stock_delayed, delay_hours, revenue) values
      ('O-1001', '1', 'web', ${'2026-11-23T08:10:00Z'}::timestamptz, 'SKU-001', 2, 'WH-EAST', 'open', null, 'none', true, false, null, 59.8),
      ('O-1002', '1', 'amazon', ${'2026-11-23T09:20:00Z'}::timestamptz, 'SKU-002', 1, 'WH-EAST', 'open', null, 'none', true, false, null, 19.9),
      ('O-1003', '1', 'web', ${'2026-11-23T09:25:00Z'}::timestamptz, 'SKU-020', 1, 'WH-WEST', 'fulfilled', null, 'none', false, false, null, 12.5)`);
}

export async function holdBatch(db: Database): Promise<void> {
  await db.run(sql`
    insert into ingest.batches (batch_id, source, entity, file, mode, captured_at, content_sha256, rows, rejected, status, started_at, error)
    values ('erp-3f2a', 'erp', 'stock', '/inbox/erp/stock_20261123T060000Z_full.csv', 'full', ${'2026-11-23T06:00:00Z'}::timestamptz, 'abc', 12, 0, 'held',
      ${'2026-11-23T06:05:00Z'}::timestamptz, 'full batch has 12 rows, 97% fewer than the previous full batch (400)')`);
}

export async function writeWeeklyHealth(db: Database): Promise<void> {
  for (const [week, factor] of [['2026-11-09', 1], ['2026-11-16', 1.2]] as const) {
    for (const [location, units] of [['ALL', 20000], ['WH-EAST', 12000], ['WH-WEST', 8000]] as const) {
      await db.run(sql`
        insert into marts.rpt_weekly_health (week, location_id, grain, total_units, ats_units, ats_share, mismatch_rate, oversell_lines, stock_cancellations,
          stock_cancel_rate, stock_delayed_lines, lost_revenue, hidden_units)
        values (${week}::date, ${location}, ${location === 'ALL' ? 'all' : 'location'}, ${units}, ${Math.round(units * 0.8)}, 0.8, ${0.02 * factor},
          ${Math.round(10 * factor)}, ${Math.round(4 * factor)}, ${0.01 * factor}, 3, ${Math.round(250 * factor * 100) / 100}, ${Math.round(120 * factor)})`);
    }
  }
}

/**
 * fct_source_freshness over the morning, per (bucket, source): Shopify's capture of 05:30
 * goes stale at 08:00 (max 2 h) and a new one arrives at 08:30. The mismatches at 06:00 and
 * 07:00 came from that old copy; the one at 08:00 is left out by the marts (the source is stale).
 */
export async function injectShopifyMorningOutage(db: Database): Promise<void> {
  await db.run('delete from marts.fct_source_freshness');
  const rows: [string, string, string, number, boolean][] = [
    ['06', 'wms', '05:45', 15, false], ['07', 'wms', '06:45', 15, false], ['08', 'wms', '07:45', 15, false], ['09', 'wms', '08:45', 15, false],
    ['06', 'shopify', '05:30', 30, false], ['07', 'shopify', '05:30', 90, false], ['08', 'shopify', '05:30', 150, true], ['09', 'shopify', '08:30', 30, false],
  ];
  for (const [hour, source, captured, staleness, stale] of rows) {
    await db.run(sql`insert into marts.fct_source_freshness ${freshnessColumns} values (${`2026-11-23T${hour}:00:00Z`}::timestamptz, ${source}, ${source}, ${`2026-11-23T${captured}:00Z`}::timestamptz,
      ${staleness}, 120, false, ${stale}, ${hour === '09'})`);
  }
  await db.run(sql`delete from marts.fct_mismatch where source = 'shopify' and bucket_at = ${'2026-11-23T08:00:00Z'}::timestamptz`);
  await db.run(sql`update marts.agg_mismatch_rate set mismatched = 18, mismatch_rate = 0.09 where day = ${today}::date and location_id = 'WH-EAST' and source = 'shopify'`);
}
