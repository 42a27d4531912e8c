import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../core/load-config.ts';
import { Database } from '../../db/database.ts';
import { runIngest } from '../../ingest/run-ingest.ts';
import { buildModels } from '../../models/runner/build.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { runModelTests } from './model-tests.ts';

/**
 * The order-line examples of docs/metrics.md ("Order lines"), landed through csv-drop: WH-A's truth
 * is the WMS, counted every hour; FBA-X's truth is a daily report. Every figure below can be checked
 * by hand against the files.
 */
const config = `
compare_every: 1h
sources:
  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./wms, max_staleness: 2h }
  - { name: fba, system: marketplace, connector: csv-drop, quiet_period: 0s, path: ./fba, max_staleness: 30h }
  - { name: oms, system: oms, connector: csv-drop, quiet_period: 0s, path: ./oms, max_staleness: 2h }
locations:
  - { id: WH-A, name: Warehouse A, truth_source: wms }
  - { id: FBA-X, name: FBA X, truth_source: fba }
channels:
  - { name: web, kind: web, locations: [WH-A], share: 1 }
  - { name: amazon, kind: marketplace, locations: [WH-A], share: 0.5, block_below: 2 }
  - { name: b2b, kind: b2b, locations: [WH-A], share: 1 }
  - { name: fba, kind: marketplace, locations: [FBA-X], share: 1 }
`;

const stockHeader = 'location_id,sku,on_hand,committed,reserved_other,damaged,quality_control,safety_stock';
const wms: [string, string[]][] = [
  ['stock_20260105T000000Z_full.csv', ['WH-A,S-SHORT,2,0,0,0,0,0', 'WH-A,S-BACK-UNITS,1,0,0,0,0,0', 'WH-A,S-OPEN,1,0,0,0,0,0', 'WH-A,S-ALLOC,3,0,0,0,0,0', 'WH-A,S-BACKORDER,0,0,0,0,0,0']],
  // 01:00: S-SHORT's 2 shipped and its third unit was never there; S-OPEN has 2 units promised and 1 on the shelf.
  ['stock_20260105T010000Z_delta.csv', ['WH-A,S-SHORT,0,0,0,0,0,0', 'WH-A,S-OPEN,1,2,0,0,0,0', 'WH-A,S-ALLOC,1,0,0,0,0,0']],
];
/**
 * FBA-X is counted once a day; 3 units of S-FBA arrive on a transfer at 04:00 that the 00:00 count
 * cannot know. Two of S-FBA-LOST's 3 units go missing during the day: only the next count shows it.
 */
const fba: [string, string[]][] = [
  ['stock_20260105T000000Z_full.csv', ['FBA-X,S-FBA,1,0,0,0,0,0', 'FBA-X,S-FBA-LOST,3,0,0,0,0,0']],
  ['stock_20260106T000000Z_full.csv', ['FBA-X,S-FBA,3,1,0,0,0,0', 'FBA-X,S-FBA-LOST,0,0,0,0,0,0']],
];
const orderHeader = 'order_id,line_id,channel,placed_at,sku,quantity,unit_price,currency,location_id,status,cancelled_at,cancel_reason_raw,cancel_reason,shipped_at';
const line = (id: string, channel: string, placedAt: string, sku: string, quantity: number, location: string, status: string, end: { cancelledAt?: string; reason?: string; shippedAt?: string } = {}) =>
  `${id},1,${channel},2026-01-05T${placedAt}:00Z,${sku},${quantity},10.00,USD,${location},${status},${end.cancelledAt ? `2026-01-05T${end.cancelledAt}:00Z` : ''},${end.reason ?? ''},${end.reason ?? ''},${end.shippedAt ? `2026-01-05T${end.shippedAt}:00Z` : ''}`;
/** Sold against the 3 counted: L1 ships, L2 is cancelled with no reason given. */
const lostLines = [
  line('L1', 'fba', '10:00', 'S-FBA-LOST', 1, 'FBA-X', 'fulfilled', { shippedAt: '11:00' }),
  line('L2', 'fba', '14:00', 'S-FBA-LOST', 2, 'FBA-X', 'cancelled', { cancelledAt: '15:00' }),
];
const oms: [string, string[]][] = [
  ['orders_20260105T010000Z.csv', [line('B1', 'b2b', '00:10', 'S-BACKORDER', 1, 'WH-A', 'backordered')]],
  [
    'orders_20260105T080000Z.csv',
    [
      line('O1', 'web', '00:10', 'S-SHORT', 2, 'WH-A', 'fulfilled', { shippedAt: '00:40' }),
      line('O2', 'web', '00:20', 'S-SHORT', 1, 'WH-A', 'cancelled', { cancelledAt: '00:50', reason: 'stock_out' }),
      line('O3', 'web', '00:05', 'S-BACK-UNITS', 1, 'WH-A', 'cancelled', { cancelledAt: '00:15', reason: 'customer' }),
      line('O4', 'web', '00:30', 'S-BACK-UNITS', 1, 'WH-A', 'cancelled', { cancelledAt: '00:50', reason: 'other' }),
      line('O5', 'web', '00:10', 'S-OPEN', 1, 'WH-A', 'open'),
      line('O6', 'web', '00:20', 'S-OPEN', 1, 'WH-A', 'open'),
      line('A1', 'amazon', '00:10', 'S-ALLOC', 2, 'WH-A', 'fulfilled', { shippedAt: '00:40' }),
      line('B1', 'b2b', '00:10', 'S-BACKORDER', 1, 'WH-A', 'cancelled', { cancelledAt: '07:30', reason: 'stock_out' }),
      line('F1', 'fba', '02:00', 'S-FBA', 1, 'FBA-X', 'fulfilled', { shippedAt: '03:00' }),
      line('F2', 'fba', '05:00', 'S-FBA', 1, 'FBA-X', 'fulfilled', { shippedAt: '06:00' }),
      line('F3', 'fba', '07:00', 'S-FBA', 1, 'FBA-X', 'open'),
    ],
  ],
  ['orders_20260105T150000Z.csv', lostLines],
];

const tempDir = useTempDir();
let db: Database;
let parsed: Config;

function write(dir: string, folder: string, header: string, files: [string, string[]][]): void {
  mkdirSync(path.join(dir, folder), { recursive: true });
  for (const [name, rows] of files) writeFileSync(path.join(dir, folder, name), [header, ...rows].join('\n') + '\n');
}

describe('oversells, allocation breaches and stock causes on a hand-made world', () => {
  beforeAll(async () => {
    const dir = tempDir();
    write(dir, 'wms', stockHeader, wms);
    write(dir, 'fba', stockHeader, fba);
    write(dir, 'oms', orderHeader, oms);
    parsed = parseConfig(config, path.join(dir, 'stocklens.config.yaml'));
    db = await Database.open(parsed.databaseFile);
    await runIngest(parsed, db);
    const summary = await buildModels(parsed, db);
    expect(summary.results.filter((result) => result.status !== 'success')).toEqual([]);
  });
  afterAll(() => db?.closeSync());

  it('judges each line against its location at placement and what followed', async () => {
    const rows = await db.rows(`
      select order_id, location_ats_at_order, channel_ats_at_order, is_oversell, is_allocation_breach, stock_cause
      from marts.fct_order_line order by order_id`);
    expect(rows).toEqual([
      // Amazon's half of 3 is 1: selling 2 breaches its allocation, but WH-A had them.
      { order_id: 'A1', location_ats_at_order: 3, channel_ats_at_order: 1, is_oversell: false, is_allocation_breach: true, stock_cause: 'none' },
      // Taken knowingly as a backorder: a delay, then a stock cancellation, never an oversell.
      { order_id: 'B1', location_ats_at_order: 0, channel_ats_at_order: 0, is_oversell: false, is_allocation_breach: false, stock_cause: 'confirmed' },
      // The 00:00 count said 1; F1 took it. F2 and F3 look short, but a transfer arrived at 04:00:
      // F2 shipped, and the next count (3 on hand, 1 promised) shows F3 covered.
      { order_id: 'F1', location_ats_at_order: 1, channel_ats_at_order: 1, is_oversell: false, is_allocation_breach: false, stock_cause: 'none' },
      { order_id: 'F2', location_ats_at_order: 0, channel_ats_at_order: 0, is_oversell: false, is_allocation_breach: false, stock_cause: 'none' },
      { order_id: 'F3', location_ats_at_order: -1, channel_ats_at_order: 0, is_oversell: false, is_allocation_breach: false, stock_cause: 'none' },
      // 3 counted; L1 took 1 and L2 2 and gave them back: the lines leave 2, the next count has 0.
      // The report sends no movements: units went missing, so L2's cancellation with no reason was for stock.
      { order_id: 'L1', location_ats_at_order: 3, channel_ats_at_order: 3, is_oversell: false, is_allocation_breach: false, stock_cause: 'none' },
      { order_id: 'L2', location_ats_at_order: 2, channel_ats_at_order: 2, is_oversell: true, is_allocation_breach: false, stock_cause: 'inferred' },
      { order_id: 'O1', location_ats_at_order: 2, channel_ats_at_order: 2, is_oversell: false, is_allocation_breach: false, stock_cause: 'none' },
      // 2 counted, O1 took 2: nothing left for O2, cancelled for stock.
      { order_id: 'O2', location_ats_at_order: 0, channel_ats_at_order: 0, is_oversell: true, is_allocation_breach: false, stock_cause: 'confirmed' },
      { order_id: 'O3', location_ats_at_order: 1, channel_ats_at_order: 1, is_oversell: false, is_allocation_breach: false, stock_cause: 'none' },
      // O3 took the unit and gave it back when the customer cancelled: O4's vague cancellation was not for stock.
      { order_id: 'O4', location_ats_at_order: 1, channel_ats_at_order: 1, is_oversell: false, is_allocation_breach: false, stock_cause: 'none' },
      { order_id: 'O5', location_ats_at_order: 1, channel_ats_at_order: 1, is_oversell: false, is_allocation_breach: false, stock_cause: 'none' },
      // Still open, sold short, and the 01:00 count has 2 promised against 1 on the shelf.
      { order_id: 'O6', location_ats_at_order: 0, channel_ats_at_order: 0, is_oversell: true, is_allocation_breach: false, stock_cause: 'none' },
    ]);
  });

  it('counts oversells and allocation breaches apart in the weekly health report, per location and for all', async () => {
    const rows = await db.rows(`
      select grain, location_id, oversell_lines, allocation_breach_lines, stock_cancellations
      from marts.rpt_weekly_health where week = '2026-01-05' order by grain desc, location_id`);
    expect(rows).toEqual([
      { grain: 'location', location_id: 'FBA-X', oversell_lines: 1, allocation_breach_lines: 0, stock_cancellations: 1 },
      { grain: 'location', location_id: 'WH-A', oversell_lines: 2, allocation_breach_lines: 1, stock_cancellations: 2 },
      { grain: 'all', location_id: 'ALL', oversell_lines: 3, allocation_breach_lines: 1, stock_cancellations: 3 },
    ]);
  });

  it("passes every mart's data tests and the singular tests", async () => {
    expect(await runModelTests(parsed, db)).toEqual([]);
  });
});

describe('an open line sold short and a vague cancellation at FBA, on an hourly build', () => {
  let hourly: Database;
  afterAll(() => hourly?.closeSync());

  it('is judged again when the next capture lands, exactly as a full refresh judges it', async () => {
    const dir = tempDir();
    const hourlyConfig = parseConfig(config, path.join(dir, 'stocklens.config.yaml'));
    hourly = await Database.open(hourlyConfig.databaseFile);
    const judged = () => hourly.rows(`select order_id, location_ats_at_order, is_oversell, next_truth_captured_at from marts.fct_order_line order by order_id`);
    /** Lands what was written since the last run and builds incrementally, as the hourly schedule does. */
    const nextHour = async () => {
      await runIngest(hourlyConfig, hourly);
      const build = await buildModels(hourlyConfig, hourly);
      expect(build.ok).toBe(true);
      return build;
    };
    /** A full refresh of the same data judges the lines as the hourly builds did. */
    const expectFullRefreshToGive = async (read: () => Promise<unknown[]>, hourlyResult: unknown[]) => {
      expect((await buildModels(hourlyConfig, hourly, { fullRefresh: true })).ok).toBe(true);
      expect(await read()).toEqual(hourlyResult);
    };
    // 00:30: O5 and O6 are open, and no count after them has landed.
    write(dir, 'wms', stockHeader, [wms[0]!]);
    write(dir, 'fba', stockHeader, [fba[0]!]);
    write(dir, 'oms', orderHeader, [['orders_20260105T003000Z.csv', [line('O5', 'web', '00:10', 'S-OPEN', 1, 'WH-A', 'open'), line('O6', 'web', '00:20', 'S-OPEN', 1, 'WH-A', 'open')]]]);
    await nextHour();
    expect(await judged()).toEqual([
      { order_id: 'O5', location_ats_at_order: 1, is_oversell: false, next_truth_captured_at: null },
      { order_id: 'O6', location_ats_at_order: 0, is_oversell: false, next_truth_captured_at: null },
    ]);
    // 00:45: another SKU's order; the build reads the lines captured from then on.
    write(dir, 'oms', orderHeader, [['orders_20260105T004500Z.csv', [line('O7', 'web', '00:40', 'S-ALLOC', 1, 'WH-A', 'open')]]]);
    await nextHour();
    // 01:00: the count shows 2 promised against 1 on the shelf; no order changed.
    write(dir, 'wms', stockHeader, [wms[1]!]);
    expect((await nextHour()).fullRefreshReason).toBeUndefined();
    const incremental = await judged();
    expect(incremental).toEqual([
      { order_id: 'O5', location_ats_at_order: 1, is_oversell: false, next_truth_captured_at: null },
      { order_id: 'O6', location_ats_at_order: 0, is_oversell: true, next_truth_captured_at: '2026-01-05T01:00:00.000Z' },
      { order_id: 'O7', location_ats_at_order: 3, is_oversell: false, next_truth_captured_at: null },
    ]);
    await expectFullRefreshToGive(judged, incremental);

    // 15:00: L2 at FBA-X is cancelled with no reason; the count it is judged by comes at midnight.
    const lost = () => hourly.rows(`select order_id, stock_cause, is_oversell, next_truth_captured_at from marts.fct_order_line where order_id like 'L%' order by order_id`);
    write(dir, 'oms', orderHeader, [['orders_20260105T150000Z.csv', lostLines]]);
    await nextHour();
    expect((await lost()).map((row) => row.stock_cause)).toEqual(['none', 'none']);
    write(dir, 'fba', stockHeader, [fba[1]!]);
    expect((await nextHour()).fullRefreshReason).toBeUndefined();
    const judgedAtMidnight = await lost();
    expect(judgedAtMidnight).toEqual([
      { order_id: 'L1', stock_cause: 'none', is_oversell: false, next_truth_captured_at: null },
      { order_id: 'L2', stock_cause: 'inferred', is_oversell: true, next_truth_captured_at: '2026-01-06T00:00:00.000Z' },
    ]);
    await expectFullRefreshToGive(lost, judgedAtMidnight);
  });
});

