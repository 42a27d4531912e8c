import { sql, type Database } from '../../../db/database.ts';
import { ensureLandingSchema } from '../../../ingest/ensure-schema.ts';

/** The day the fixtures call today, and the evaluation time on it (a Monday, 10:00 UTC). */
export const today = '2026-11-23';
export const now = new Date('2026-11-23T10:00:00Z');

/**
 * The marts the alert rules read (their contract columns), created in a real DuckDB file with a
 * small, deterministic story: 28 quiet days at ~2% mismatch for every (location, source), then
 * today's incidents as the options say.
 */
export async function createMarts(db: Database): Promise<void> {
  await ensureLandingSchema(db);
  await db.run(`
    create schema if not exists marts;
    create or replace table marts.agg_mismatch_rate (day date, location_id varchar, source varchar, compared bigint, mismatched bigint, mismatch_rate double);
    create or replace table marts.fct_mismatch (bucket_at timestamptz, location_id varchar, sku varchar, source varchar, truth_source varchar,
      truth_units integer, system_units integer, diff_units integer, direction varchar, probable_cause varchar);
    create or replace table marts.fct_mismatch_segment (source varchar, system varchar, location_id varchar, sku varchar, truth_source varchar, measure varchar,
      channel varchar, segment_from timestamptz, segment_to timestamptz, episode_from timestamptz, truth_units integer, system_units integer, diff_units integer,
      direction varchar, probable_cause varchar, truth_committed integer, truth_in_transit integer, truth_quality_control integer, sync_minutes double,
      evidence_event_id varchar, evidence_reason varchar, evidence_reference varchar, evidence_at timestamptz, evidence_delta integer);
    create or replace table marts.fct_order_line (order_id varchar, line_id varchar, channel varchar, placed_at timestamptz, sku varchar, quantity integer,
      location_id varchar, status varchar, cancel_reason varchar, stock_cause varchar, is_oversell boolean, is_stock_delayed boolean, delay_hours double, revenue double);
    create or replace table marts.rpt_sync_priority (source varchar, sku varchar, mismatch_buckets integer, max_consecutive integer, units_per_hour double,
      p95_lag_minutes double, exposure double, current_sync_minutes double, recommended_sync_minutes integer, needs_faster_sync boolean);
    create or replace table marts.rpt_weekly_health (week date, location_id varchar, total_units bigint, ats_units bigint, ats_share double, mismatch_rate double,
      oversell_lines bigint, stock_cancellations bigint, stock_cancel_rate double, stock_delayed_lines bigint, lost_revenue double, hidden_units bigint);
    create or replace table marts.fct_source_freshness (source varchar, location_id varchar, last_captured_at timestamptz, staleness_minutes double,
      max_staleness_minutes double, is_stale boolean);
  `);
  // Baseline: 28 days of 200 comparisons with 3 to 5 mismatches (1.5% to 2.5%), per location and source.
  await db.run(sql`
    insert into marts.agg_mismatch_rate
    select d::date, l, s, 200, 3 + (extract(day from d)::int % 3), (3 + (extract(day from d)::int % 3)) / 200.0
    from range(${today}::date - 28, ${today}::date, interval 1 day) t(d), (values ('WH-EAST'), ('WH-WEST')) l(l), (values ('shopify'), ('erp')) s(s)`);
  await db.run(sql`
    insert into marts.fct_source_freshness values
      ('wms', 'WH-EAST', ${'2026-11-23T09:45:00Z'}::timestamptz, 15, 120, false),
      ('shopify', 'WH-EAST', ${'2026-11-23T09:30:00Z'}::timestamptz, 30, 120, false),
      ('wms', 'WH-WEST', ${'2026-11-23T09:45:00Z'}::timestamptz, 15, 120, false),
      ('shopify', 'WH-WEST', ${'2026-11-23T09:30:00Z'}::timestamptz, 30, 120, false)`);
  await setQuietToday(db);
}

/** Today without incidents: every (location, source) at its usual 2%. */
export async function setQuietToday(db: Database): Promise<void> {
  await db.run(sql`delete from marts.agg_mismatch_rate where day = ${today}::date`);
  await db.run(sql`delete from marts.fct_mismatch where bucket_at >= ${today}::timestamptz`);
  await db.run(sql`
    insert into marts.agg_mismatch_rate select ${today}::date, l, s, 200, 4, 0.02
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
        insert into marts.fct_mismatch values (${`2026-11-23T0${hour}:00:00Z`}::timestamptz, 'WH-EAST', ${`SKU-00${sku}`}, 'shopify', 'wms',
          ${truth}, ${truth + diff}, ${diff}, ${over ? 'over' : 'under'}, ${causes[sku - 1]})`);
    }
  }
  // The ERP disagrees on one of those SKUs at the same bucket: shown beside Shopify's figure.
  await db.run(sql`insert into marts.fct_mismatch values (${'2026-11-23T09:00:00Z'}::timestamptz, 'WH-EAST', 'SKU-001', 'erp', 'wms', 10, 7, -3, 'under', 'unsynced_adjustment')`);
}

/** Shopify stopped sending for WH-WEST; the mismatches it shows there are phantoms of its stale copy. */
export async function injectWestShopifyStale(db: Database): Promise<void> {
  await db.run(sql`update marts.fct_source_freshness set last_captured_at = ${'2026-11-22T22:00:00Z'}::timestamptz, staleness_minutes = 720, is_stale = true where source = 'shopify' and location_id = 'WH-WEST'`);
  await db.run(sql`update marts.agg_mismatch_rate set mismatched = 60, mismatch_rate = 0.3 where day = ${today}::date and location_id = 'WH-WEST' and source = 'shopify'`);
  await db.run(sql`insert into marts.fct_mismatch values (${'2026-11-23T09:00:00Z'}::timestamptz, 'WH-WEST', 'SKU-010', 'shopify', 'wms', 5, 9, 4, 'over', 'sync_lag')`);
}

export async function injectOversells(db: Database): Promise<void> {
  await db.run(sql`
    insert into marts.fct_order_line values
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
        insert into marts.rpt_weekly_health values (${week}::date, ${location}, ${units}, ${Math.round(units * 0.8)}, 0.8, ${0.02 * factor},
          ${Math.round(10 * factor)}, ${Math.round(4 * factor)}, ${0.01 * factor}, 3, ${Math.round(250 * factor * 100) / 100}, ${Math.round(120 * factor)})`);
    }
  }
}

/**
 * fct_source_freshness as the marts build it, per (bucket, source): Shopify's capture of 05:30
 * goes stale at 08:00 (max 2 h) and a new one arrives at 08:30. The mismatches at 06:00 and
 * 07:00 came from that old copy; the one at 08:00 is left out by the marts (the source is stale).
 */
export async function useBucketFreshnessWithShopifyOutage(db: Database): Promise<void> {
  await db.run(`
    create or replace table marts.fct_source_freshness (bucket_at timestamptz, source varchar, system varchar, last_captured_at timestamptz,
      staleness_minutes double, max_staleness_minutes double, is_held boolean, is_stale boolean, is_latest boolean)`);
  const rows: [string, string, string, number, boolean][] = [
    ['06', 'wms', '05:45', 15, false], ['07', 'wms', '06:45', 15, false], ['08', 'wms', '07:45', 15, false], ['09', 'wms', '08:45', 15, false],
    ['06', 'shopify', '05:30', 30, false], ['07', 'shopify', '05:30', 90, false], ['08', 'shopify', '05:30', 150, true], ['09', 'shopify', '08:30', 30, false],
  ];
  for (const [hour, source, captured, staleness, stale] of rows) {
    await db.run(sql`insert into marts.fct_source_freshness values (${`2026-11-23T${hour}:00:00Z`}::timestamptz, ${source}, ${source}, ${`2026-11-23T${captured}:00Z`}::timestamptz,
      ${staleness}, 120, false, ${stale}, ${hour === '09'})`);
  }
  await db.run(sql`delete from marts.fct_mismatch where source = 'shopify' and bucket_at = ${'2026-11-23T08:00:00Z'}::timestamptz`);
  await db.run(sql`update marts.agg_mismatch_rate set mismatched = 18, mismatch_rate = 0.09 where day = ${today}::date and location_id = 'WH-EAST' and source = 'shopify'`);
}
