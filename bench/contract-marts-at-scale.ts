import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig, type Config } from '../core/load-config.ts';
import { Database } from '../db/database.ts';
import { ensureLandingSchema } from '../ingest/ensure-schema.ts';
import { buildModels } from '../models/runner/build.ts';
import { writeConfigSeeds } from '../models/runner/config-seeds.ts';
import { ensureMetaSchema } from '../models/runner/run-history.ts';
import { builtMartColumns, createBuiltMartTables } from '../test/helpers/built-mart-tables.ts';

/**
 * A database with the contract marts (docs/architecture.md) at the `m` scale's shape (20,000 SKUs, 20
 * locations, 5 sources, 14 days of hourly buckets), for benchmarking the API when the real `m`
 * build is not available. The rows are generated, the shapes are not: every table is made from the
 * columns of a real build of the models (test/helpers/built-mart-tables.ts) and filled by column
 * name, the roll-ups (agg_*) are built from those rows by their real models, and the
 * fct_stock_position view (over change intervals, as the marts build it: the 670M-position grid is
 * never stored) must list the real view's columns.
 */
export const scale = { skus: 20_000, locations: 20, days: 14 };
const sources = ['wms', 'erp', 'oms', 'shopify', 'amazon'];

function configYaml(): string {
  const locations = Array.from({ length: scale.locations }, (_, i) => `  - { id: LOC-${String(i).padStart(2, '0')}, name: Location ${i}, truth_source: wms }`);
  return [
    'data_dir: ./data',
    'sources:',
    ...sources.map((name) => `  - { name: ${name}, system: ${name === 'wms' ? 'wms' : name === 'erp' ? 'erp' : name === 'oms' ? 'oms' : name === 'amazon' ? 'marketplace' : 'ecommerce'}, connector: csv-drop, quiet_period: 0s, path: ./inbox/${name} }`),
    'locations:',
    ...locations,
    'channels:',
    `  - { name: web, kind: web, source: shopify, locations: [${Array.from({ length: scale.locations }, (_, i) => `LOC-${String(i).padStart(2, '0')}`).join(', ')}] }`,
    '',
  ].join('\n');
}

/** The marts the bench fills with generated rows, in the real models' shapes; fct_stock_position is its own view below. */
const generatedMarts = ['fct_ats_daily', 'fct_ats_current', 'fct_mismatch', 'agg_mismatch_rate', 'fct_order_line', 'rpt_sync_priority', 'rpt_weekly_health', 'fct_source_freshness'];
/** The roll-ups over them, built by their real models. */
const rollups = ['agg_ats_current', 'agg_ats_daily', 'agg_mismatch_rate_weekly', 'agg_location_summary'];

/**
 * The marts a "build" writes again: each into a stage table shaped like the published one, filled
 * by column name (a column the models no longer build fails here), then swapped in.
 */
const rebuildSql = `
create or replace table marts.__stage_fct_ats_daily as select * from marts.fct_ats_daily limit 0;
insert into marts.__stage_fct_ats_daily by name
  select d.day, p.location_id, p.sku,
    (hash(p.sku, p.location_id, d.day) % 200)::integer as total_units,
    greatest(0, (hash(p.sku, p.location_id, d.day) % 200)::integer - (hash(p.location_id, d.day) % 20)::integer) as ats_units,
    least((hash(p.sku, p.location_id, d.day) % 200)::integer, (hash(p.location_id, d.day) % 20)::integer) as non_sellable_units,
    (hash(p.location_id, d.day) % 8)::integer as committed, 0 as reserved_other, (hash(p.sku, d.day) % 3)::integer as damaged,
    0 as quality_control, 2 as safety_stock, 0 as in_transit
  from bench.pairs p, (select range::date as day from range(date '2026-03-02', date '2026-03-16', interval 1 day)) d;
create or replace table marts.__stage_fct_mismatch as select * from marts.fct_mismatch limit 0;
insert into marts.__stage_fct_mismatch by name
  select g.bucket_at, i.location_id, i.sku, i.source, 'wms' as truth_source, 'ats' as measure,
    t.on_hand as truth_units, i.on_hand as system_units, i.on_hand - t.on_hand as diff_units,
    case when i.on_hand > t.on_hand then 'over' else 'under' end as direction,
    (['unsynced_adjustment', 'transfer_not_reflected', 'return_before_qc', 'reservation_ignored', 'sync_lag', 'unknown'])[1 + (hash(i.sku, g.bucket_at) % 6)::bigint] as probable_cause,
    i.valid_from as mismatch_since, g.bucket_at::date as day, date_trunc('week', g.bucket_at::date)::date as week, g.bucket_at as refreshed_at
  from intermediate.int_stock_intervals i
  join intermediate.int_stock_intervals t on t.location_id = i.location_id and t.sku = i.sku and t.source = 'wms' and t.valid_from = i.valid_from
  join intermediate.int_bucket_grid g on g.bucket_at >= i.valid_from and g.bucket_at < i.valid_from + interval 6 hour
  where i.source <> 'wms' and i.on_hand <> t.on_hand and hash(i.location_id, i.sku) % 10 = 0;
create or replace table marts.__stage_agg_mismatch_rate as select * from marts.agg_mismatch_rate limit 0;
insert into marts.__stage_agg_mismatch_rate by name
  with cells as (
    select g.day, l.location_id, s.source
    from (select distinct bucket_at::date as day from intermediate.int_bucket_grid) g cross join bench.locations l cross join bench.sources s
    where s.source <> 'wms'),
  counted as (select day, location_id, source, count(*) as mismatched from marts.__stage_fct_mismatch group by all)
  select c.day, c.location_id, c.source, (24 * 1000)::bigint as compared, coalesce(m.mismatched, 0)::bigint as mismatched,
    coalesce(m.mismatched, 0) / (24 * 1000) as mismatch_rate
  from cells c left join counted m using (day, location_id, source);
begin transaction;
drop table marts.fct_ats_daily; alter table marts.__stage_fct_ats_daily rename to fct_ats_daily;
drop table marts.fct_mismatch; alter table marts.__stage_fct_mismatch rename to fct_mismatch;
drop table marts.agg_mismatch_rate; alter table marts.__stage_agg_mismatch_rate rename to agg_mismatch_rate;
commit;
`;

/** What the bench re-runs as its "build" while it loads the API: the generated marts, then their roll-ups by the real models. */
export async function rebuildScaleMarts(config: Config, db: Database): Promise<void> {
  await db.run(rebuildSql);
  const built = await buildModels(config, db, { select: rollups });
  const failed = built.results.filter((result) => result.status !== 'success');
  if (failed.length > 0) throw new Error(`building the roll-ups failed: ${failed.map((result) => `${result.node}: ${result.error}`).join(', ')}`);
}

const setupSql = `
create schema if not exists bench; create schema if not exists intermediate;
create table bench.skus as select 'SKU-' || lpad(range::varchar, 5, '0') as sku from range(${scale.skus});
create table bench.locations as select 'LOC-' || lpad(range::varchar, 2, '0') as location_id from range(${scale.locations});
create table bench.sources as select unnest(['${sources.join("','")}']) as source;
create table bench.pairs as select l.location_id, s.sku from bench.locations l, bench.skus s;
create table intermediate.int_bucket_grid as
  select range as bucket_at from range(timestamptz '2026-03-02 00:00:00+00', timestamptz '2026-03-16 00:00:00+00', interval 1 hour);
-- Four change intervals per source, location and SKU (8M rows): the history the view expands.
create table intermediate.int_stock_intervals as
  select s.source, p.location_id, p.sku,
    timestamptz '2026-03-02 00:00:00+00' + to_hours(n * 84) as valid_from,
    case when n = 3 then null else timestamptz '2026-03-02 00:00:00+00' + to_hours((n + 1) * 84) end as valid_to,
    (hash(p.sku, p.location_id, n) % 100)::integer + (case when s.source <> 'wms' and hash(s.source, p.sku, n) % 7 = 0 then 3 else 0 end) as on_hand,
    (hash(p.sku, n) % 5)::integer as committed, 0 as reserved_other, (hash(p.location_id, p.sku) % 2)::integer as damaged,
    0 as quality_control, 1 as safety_stock, 0 as in_transit, 0 as incoming,
    case when s.source in ('shopify', 'amazon') then (hash(p.sku, p.location_id, n) % 100)::integer - 6 end as available_reported
  from bench.pairs p, bench.sources s, range(4) r(n)
  order by p.sku, p.location_id, s.source;
create table intermediate.int_source_staleness as
  select s.source, g.bucket_at, (hash(s.source, g.bucket_at) % 180)::double as staleness_minutes, hash(s.source, g.bucket_at) % 180 > 120 as is_stale
  from bench.sources s, intermediate.int_bucket_grid g;
create or replace view marts.fct_stock_position as
  select g.bucket_at, i.location_id, i.sku, i.source, i.on_hand, i.committed, i.reserved_other, i.damaged, i.quality_control,
    i.safety_stock, i.in_transit, i.incoming,
    greatest(0, i.on_hand - i.committed - i.reserved_other - i.damaged - i.quality_control - i.safety_stock) as ats,
    i.available_reported, 'physical' as quantity_semantics, i.valid_from as captured_since, f.staleness_minutes, f.is_stale
  from intermediate.int_stock_intervals i
  join intermediate.int_bucket_grid g on g.bucket_at >= i.valid_from and (i.valid_to is null or g.bucket_at < i.valid_to)
  join intermediate.int_source_staleness f on f.source = i.source and f.bucket_at = g.bucket_at;
insert into marts.fct_order_line by name
  select 'O-' || range as order_id, '1' as line_id, (['web', 'amazon', 'b2b'])[1 + range % 3] as channel,
    timestamptz '2026-03-02 00:00:00+00' + to_seconds((hash(range) % (14 * 86400))::bigint) as placed_at,
    'SKU-' || lpad((hash(range, 1) % ${scale.skus})::varchar, 5, '0') as sku, 1 + (range % 3)::integer as quantity,
    'LOC-' || lpad((hash(range, 2) % ${scale.locations})::varchar, 2, '0') as location_id,
    (['fulfilled', 'fulfilled', 'fulfilled', 'open', 'cancelled', 'backordered'])[1 + (hash(range, 3) % 6)::bigint] as status,
    case when hash(range, 3) % 6 = 4 then (['stock_out', 'customer', 'other'])[1 + (hash(range, 4) % 3)::bigint] end as cancel_reason,
    case when hash(range, 3) % 6 = 4 then (['confirmed', 'none', 'inferred'])[1 + (hash(range, 4) % 3)::bigint] else 'none' end as stock_cause,
    hash(range, 5) % 50 = 0 as is_oversell, hash(range, 3) % 6 = 5 as is_stock_delayed,
    case when hash(range, 3) % 6 = 5 then (hash(range, 6) % 72)::double end as delay_hours,
    ((hash(range, 7) % 10000) / 100)::decimal(18, 2) as revenue
  from range(1000000);
update marts.fct_order_line set cancelled_at = placed_at + interval 2 hour where status = 'cancelled';
insert into marts.rpt_sync_priority by name
  select s.source, k.sku, (hash(s.source, k.sku) % 40)::bigint as mismatch_buckets, (hash(k.sku, s.source) % 10)::bigint as max_consecutive,
    (hash(k.sku) % 100) / 50.0 as units_per_hour, (hash(s.source, k.sku) % 600)::double as p95_lag_minutes,
    (hash(s.source, k.sku) % 1000) / 10.0 as exposure, (15 * (1 + hash(k.sku) % 8))::integer as recommended_sync_minutes,
    hash(s.source, k.sku) % 1000 > 950 as needs_faster_sync
  from bench.sources s, bench.skus k where s.source <> 'wms';
insert into marts.rpt_weekly_health by name
  select w.week, l.location_id, case when l.location_id = 'ALL' then 'all' else 'location' end as grain, false as is_partial, 100000::bigint as total_units, 80000::bigint as ats_units, 0.8 as ats_share, 0.02 as mismatch_rate,
    10::bigint as oversell_lines, 5::bigint as stock_cancellations, 0.01 as stock_cancel_rate, 3::bigint as stock_delayed_lines,
    120.50::decimal(18, 2) as lost_revenue, 40::bigint as hidden_units
  from (values (date '2026-03-02'), (date '2026-03-09')) w(week), (select location_id from bench.locations union all select 'ALL') l;
insert into marts.fct_source_freshness by name
  select g.bucket_at, s.source, s.source as system, g.bucket_at - interval 1 hour as last_captured_at, 60.0 as staleness_minutes,
    120.0 as max_staleness_minutes, false as is_held, false as is_stale, g.bucket_at = timestamptz '2026-03-15 23:00:00+00' as is_latest
  from bench.sources s, intermediate.int_bucket_grid g;
`;

/** The latest stock per location and SKU: the last generated day. */
const afterBuildSql = `
insert into marts.fct_ats_current by name
  select location_id, sku, 'wms' as truth_source, timestamptz '2026-03-15 23:00:00+00' as captured_at, total_units, ats_units, non_sellable_units,
    committed, reserved_other, damaged, quality_control, safety_stock, in_transit
  from marts.fct_ats_daily where day = date '2026-03-15';
`;

/** Opens the bench database in `dir`, generating it first when it is not there yet (a few minutes). */
export async function openScaleDatabase(dir: string, log: (message: string) => void): Promise<{ config: Config; db: Database }> {
  mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'stocklens.config.yaml');
  writeFileSync(configFile, configYaml());
  const config = parseConfig(configYaml(), configFile);
  const db = await Database.open(config.databaseFile);
  // fct_ats_current is written last: a generation cut short is done again.
  const ready = await db.one(`select 1 as ok from marts.fct_ats_current limit 1`).catch(() => undefined);
  if (!ready) {
    const started = Date.now();
    log(`generating the contract marts at m scale in ${dir} (once)`);
    await ensureLandingSchema(db);
    await db.withConnection(async (connection) => {
      await ensureMetaSchema(connection);
      await writeConfigSeeds(connection, config);
      await createBuiltMartTables(connection, generatedMarts);
      await connection.run(setupSql);
    });
    await checkStockPositionShape(db);
    await rebuildScaleMarts(config, db);
    await db.run(afterBuildSql);
    await db.run('checkpoint');
    log(`generated in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  return { config, db };
}

/** The bench's fct_stock_position view lists the real view's columns, in order, or the bench stops. */
async function checkStockPositionShape(db: Database): Promise<void> {
  const real = (await builtMartColumns('fct_stock_position')).map((column) => column.name);
  const rows = await db.rows<{ name: string }>(`select column_name as name from information_schema.columns where table_schema = 'marts' and table_name = 'fct_stock_position' order by ordinal_position`);
  const bench = rows.map((row) => row.name);
  if (bench.join() !== real.join()) throw new Error(`the bench's fct_stock_position has columns ${bench.join(', ')}; the models build ${real.join(', ')}`);
}
