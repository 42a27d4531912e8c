import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig, type Config } from '../../core/load-config.ts';
import { Database } from '../../db/database.ts';
import { ensureLandingSchema } from '../../ingest/ensure-schema.ts';
import { buildModels } from '../../models/runner/build.ts';
import { writeConfigSeeds } from '../../models/runner/config-seeds.ts';
import { ensureMetaSchema } from '../../models/runner/run-history.ts';
import { createBuiltMartTables } from '../helpers/built-mart-tables.ts';

/**
 * A real DuckDB file with the marts the API reads, in the shape the real models build them
 * (test/helpers/built-mart-tables.ts), holding a few known rows the tests check by hand.
 */
export const contractConfigYaml = `
data_dir: ./data
timezone: UTC
sources:
  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./inbox/wms, max_staleness: 2h }
  - { name: shopify, system: ecommerce, connector: csv-drop, quiet_period: 0s, path: ./inbox/shopify, max_staleness: 2h }
  - { name: erp, system: erp, connector: csv-drop, quiet_period: 0s, path: ./inbox/erp, max_staleness: 7h }
locations:
  - { id: WH-EAST, name: East DC, truth_source: wms, lead_email: east@example.com }
  - { id: WH-WEST, name: West DC, truth_source: wms, lead_email: west@example.com }
channels:
  - { name: web, kind: web, source: shopify, locations: [WH-EAST, WH-WEST] }
server:
  auth_failure_limit: 1000
`;

/** The marts this fixture fills; the roll-ups over them are built from these rows by their real models. */
const contractMarts = ['fct_stock_position', 'fct_ats_daily', 'fct_ats_current', 'fct_mismatch', 'agg_mismatch_rate', 'fct_order_line', 'rpt_sync_priority', 'rpt_weekly_health', 'fct_source_freshness'];

const builtRollups = ['agg_ats_current', 'agg_ats_daily', 'agg_mismatch_rate_weekly', 'agg_location_summary', 'agg_cancellations_daily', 'agg_cancellations_weekly'];

/** The known rows, inserted by column name: a column the models drop or rename fails here. */
const martRowsSql = `
insert into marts.fct_stock_position (bucket_at, location_id, sku, source, on_hand, committed, reserved_other, damaged, quality_control, safety_stock, in_transit, incoming, ats, available_reported, staleness_minutes, is_stale) values
  ('2026-03-02 10:00:00+00', 'WH-EAST', 'SKU-1', 'wms',     10, 2, 0, 1, 0, 0, 0, 0, 7, null, 5, false),
  ('2026-03-02 10:00:00+00', 'WH-EAST', 'SKU-1', 'shopify', null, null, null, null, null, null, null, null, null, 9, 30, false),
  ('2026-03-02 10:00:00+00', 'WH-EAST', 'SKU-1', 'erp',     10, 0, 0, 0, 0, 0, 0, 0, 10, null, 300, false),
  ('2026-03-02 11:00:00+00', 'WH-EAST', 'SKU-1', 'wms',     8, 2, 0, 1, 0, 0, 0, 0, 5, null, 5, false),
  ('2026-03-02 11:00:00+00', 'WH-EAST', 'SKU-1', 'shopify', null, null, null, null, null, null, null, null, null, 5, 20, false),
  ('2026-03-02 11:00:00+00', 'WH-WEST', 'SKU-1', 'wms',     4, 0, 0, 0, 0, 0, 0, 0, 4, null, 5, false),
  ('2026-03-02 10:00:00+00', 'WH-EAST', 'SKU-2', 'wms',     3, 0, 0, 0, 0, 0, 0, 0, 3, null, 5, false);

insert into marts.fct_ats_daily (day, location_id, sku, total_units, ats_units, non_sellable_units, committed, reserved_other, damaged, quality_control, safety_stock, in_transit) values
  ('2026-03-01', 'WH-EAST', 'SKU-1', 12, 9, 3, 2, 0, 1, 0, 0, 0),
  ('2026-03-02', 'WH-EAST', 'SKU-1', 8, 5, 3, 2, 0, 1, 0, 0, 0),
  ('2026-03-02', 'WH-EAST', 'SKU-2', 3, 3, 0, 0, 0, 0, 0, 0, 0),
  ('2026-03-02', 'WH-WEST', 'SKU-1', 4, 4, 0, 0, 0, 0, 0, 0, 0);

insert into marts.fct_ats_current (location_id, sku, truth_source, captured_at, total_units, ats_units, non_sellable_units, committed, reserved_other, damaged, quality_control, safety_stock, in_transit) values
  ('WH-EAST', 'SKU-1', 'wms', '2026-03-02 11:00:00+00', 8, 5, 3, 2, 0, 1, 0, 0, 0),
  ('WH-EAST', 'SKU-2', 'wms', '2026-03-02 10:00:00+00', 3, 3, 0, 0, 0, 0, 0, 0, 0),
  ('WH-WEST', 'SKU-1', 'wms', '2026-03-02 11:00:00+00', 4, 4, 0, 0, 0, 0, 0, 0, 0);

insert into marts.fct_mismatch (bucket_at, location_id, sku, source, truth_source, truth_units, system_units, diff_units, direction, probable_cause) values
  ('2026-03-02 10:00:00+00', 'WH-EAST', 'SKU-1', 'shopify', 'wms', 7, 9, 2, 'over', 'reservation_ignored'),
  ('2026-03-02 10:00:00+00', 'WH-EAST', 'SKU-1', 'erp', 'wms', 10, 10, 0, 'over', 'unknown'),
  ('2026-03-03 09:00:00+00', 'WH-WEST', 'SKU-1', 'shopify', 'wms', 4, 1, -3, 'under', 'sync_lag');

insert into marts.agg_mismatch_rate (day, location_id, source, compared, mismatched, mismatch_rate) values
  ('2026-03-02', 'WH-EAST', 'shopify', 48, 12, 0.25),
  ('2026-03-03', 'WH-EAST', 'shopify', 48, 0, 0.0),
  ('2026-03-09', 'WH-EAST', 'shopify', 10, 5, 0.5),
  ('2026-03-02', 'WH-WEST', 'shopify', 20, 2, 0.1),
  ('2026-03-02', 'WH-EAST', 'erp', 8, 8, 1.0);

insert into marts.fct_order_line (order_id, line_id, channel, placed_at, sku, quantity, location_id, status, cancel_reason, stock_cause, is_oversell, is_stock_delayed, delay_hours, revenue) values
  ('O-1', '1', 'web', '2026-03-02 09:00:00+00', 'SKU-1', 2, 'WH-EAST', 'fulfilled', null, 'none', false, false, null, 20.00),
  ('O-2', '1', 'web', '2026-03-02 10:30:00+00', 'SKU-1', 1, 'WH-EAST', 'cancelled', 'stock_out', 'confirmed', true, false, null, 10.00),
  ('O-3', '1', 'web', '2026-03-03 08:00:00+00', 'SKU-2', 1, 'WH-EAST', 'cancelled', 'customer', 'none', false, false, null, 5.50),
  ('O-4', '1', 'web', '2026-03-09 12:00:00+00', '=HYPERLINK("http://evil.example")', 1, 'WH-WEST', 'cancelled', 'other', 'inferred', false, true, 30, -4.00);

insert into marts.rpt_sync_priority (source, sku, mismatch_buckets, max_consecutive, units_per_hour, p95_lag_minutes, exposure, recommended_sync_minutes, needs_faster_sync) values
  ('shopify', 'SKU-1', 12, 4, 0.5, 95, 6.0, 15, true),
  ('erp', 'SKU-1', 8, 8, 0.5, 300, 2.5, 60, false),
  ('shopify', 'SKU-2', 1, 1, 0.1, null, 0.1, null, false);

insert into marts.rpt_weekly_health (week, location_id, grain, total_units, ats_units, ats_share, mismatch_rate, oversell_lines, stock_cancellations, stock_cancel_rate, stock_delayed_lines, lost_revenue, hidden_units) values
  ('2026-02-23', 'ALL', 'all', 16, 13, 0.8125, 0.2, 1, 1, 0.33, 0, 10.00, 0),
  ('2026-02-23', 'WH-EAST', 'location', 12, 9, 0.75, 0.25, 1, 1, 0.5, 0, 10.00, 0),
  ('2026-03-02', 'ALL', 'all', 15, 12, 0.8, 0.3, 0, 1, 0.2, 1, 4.00, 3),
  ('2026-03-02', 'WH-EAST', 'location', 11, 8, 0.7272, 0.25, 0, 0, 0, 0, 0.00, 0),
  ('2026-03-02', 'WH-WEST', 'location', 4, 4, 1.0, 0.1, 0, 1, 1.0, 1, 4.00, 3);

insert into marts.fct_source_freshness (bucket_at, source, system, last_captured_at, staleness_minutes, max_staleness_minutes, is_held, is_stale, is_latest) values
  ('2026-03-09 11:00:00+00', 'shopify', 'ecommerce', '2026-03-09 08:00:00+00', 195, 120, false, true, false),
  ('2026-03-09 12:00:00+00', 'wms', 'wms', '2026-03-09 12:00:00+00', 0, 120, false, false, true),
  ('2026-03-09 12:00:00+00', 'shopify', 'ecommerce', '2026-03-09 08:00:00+00', 240, 120, false, true, true),
  ('2026-03-09 12:00:00+00', 'erp', 'erp', '2026-03-09 06:00:00+00', 360, 480, false, false, true);
`;

const ledgerSql = `
insert into ingest.batches (batch_id, source, entity, file, mode, captured_at, content_sha256, rows, rejected, status, started_at, finished_at, error) values
  ('b-1', 'wms', 'stock', 'inbox/wms/stock_20260302T100000Z_full.csv', 'full', '2026-03-02 10:00:00+00', 'aa', 3, 1, 'landed', '2026-03-02 10:01:00+00', '2026-03-02 10:01:01+00', null),
  ('b-2', 'wms', 'stock', 'inbox/wms/stock_20260303T100000Z_full.csv', 'full', '2026-03-03 10:00:00+00', 'bb', 1, 0, 'held', '2026-03-03 10:01:00+00', '2026-03-03 10:01:01+00', 'rows fell by 66%');
insert into ingest.quarantine values ('b-1', 4, 'on_hand', 'not an integer: "x"', 'WH-EAST,SKU-9,x');
insert into ingest.runs values ('r-1', 'wms', 'manual', 1, '2026-03-02 10:00:59+00', '2026-03-02 10:01:02+00', 'succeeded', 2, 4, 1, 1, null);
insert into meta.run_results values ('run-1', 'fct_mismatch', 'model', 'success', 3, 120, null, '2026-03-02 11:00:00+00', '2026-03-02 11:00:01+00');
insert into meta.test_results values ('run-1', 'fct_mismatch', 'not_null(sku)', 'error', 'pass', 0, 4, null, '2026-03-02 11:00:02+00');
`;

export interface ContractDatabase {
  config: Config;
  db: Database;
}

/** Writes the config and a database with every contract mart into `dir`; `without` leaves marts out. */
export async function buildContractDatabase(dir: string, options: { without?: string[]; yaml?: string } = {}): Promise<ContractDatabase> {
  mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'stocklens.config.yaml');
  writeFileSync(configFile, options.yaml ?? contractConfigYaml);
  const config = parseConfig(options.yaml ?? contractConfigYaml, configFile);
  const db = await Database.open(config.databaseFile);
  await ensureLandingSchema(db);
  await db.withConnection(async (connection) => {
    await ensureMetaSchema(connection);
    await writeConfigSeeds(connection, config);
    await createBuiltMartTables(connection, contractMarts);
    await connection.run(martRowsSql);
  });
  const rollups = await buildModels(config, db, { select: builtRollups });
  const failed = rollups.results.filter((result) => result.status !== 'success');
  if (failed.length > 0) throw new Error(`building the roll-ups of the contract marts failed: ${failed.map((result) => `${result.node}: ${result.error}`).join(', ')}`);
  await db.withConnection(async (connection) => {
    // The history the tests read is the hand-written one, not that of the roll-ups' build.
    for (const table of ['runs', 'run_results', 'test_results', 'model_intervals']) await connection.run(`delete from meta.${table}`);
    await connection.run(ledgerSql);
    for (const mart of options.without ?? []) await connection.run(`drop table marts.${mart}`);
  });
  writeFileSync(
    path.join(config.data_dir, 'manifest.json'),
    JSON.stringify({
      generated_at: '2026-03-02T11:00:02Z',
      run_id: 'run-1',
      nodes: [
        { name: 'stg_stock_snapshot', kind: 'model', layer: 'staging', tags: [], tests: [], columns: [] },
        { name: 'fct_mismatch', kind: 'model', layer: 'marts', tags: [], tests: ['not_null(sku)'], columns: [{ name: 'sku', type: 'VARCHAR' }] },
      ],
      edges: [{ from: 'stg_stock_snapshot', to: 'fct_mismatch' }],
    }),
  );
  return { config, db };
}
