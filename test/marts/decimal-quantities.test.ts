import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { landAndBuild } from '../helpers/hand-made-world.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

/**
 * Flour sold and counted by the kilogram, landed through csv-drop: the WMS holds 10.5 kg at WH-A, a
 * cycle count takes 0.75 kg at 00:30 that the ERP (mirroring on_hand, synced at 00:00 and 02:00)
 * never hears of, and the OMS sells 2.5 kg and 1 kg. Each figure below can be checked by hand
 * against the files.
 */
const config = `
compare_every: 1h
sources:
  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./wms, max_staleness: 2h }
  - { name: erp, system: erp, connector: csv-drop, quiet_period: 0s, path: ./erp, max_staleness: 8h }
  - { name: oms, system: oms, connector: csv-drop, quiet_period: 0s, path: ./oms, max_staleness: 2h }
locations:
  - { id: WH-A, name: Warehouse A, truth_source: wms }
channels:
  - { name: web, kind: web, locations: [WH-A], share: 1 }
`;

const files: Record<string, string> = {
  'wms/stock_20260105T000000Z_full.csv': 'location_id,sku,on_hand\nWH-A,S-FLOUR,10.5\n',
  'wms/stock_20260105T010000Z_delta.csv': 'location_id,sku,on_hand\nWH-A,S-FLOUR,9.75\n',
  'wms/events_20260105T010000Z.csv': 'event_id,occurred_at,location_id,sku,delta,reason\nE1,2026-01-05T00:30:00Z,WH-A,S-FLOUR,-0.75,cycle_count\n',
  'wms/stock_20260105T020000Z_delta.csv': 'location_id,sku,on_hand\n',
  'erp/stock_20260105T000000Z_full.csv': 'location_id,sku,on_hand\nWH-A,S-FLOUR,10.5\n',
  'erp/stock_20260105T020000Z_full.csv': 'location_id,sku,on_hand\nWH-A,S-FLOUR,10.5\n',
  'oms/orders_20260105T020000Z.csv': [
    'order_id,line_id,channel,placed_at,sku,quantity,unit_price,currency,location_id,status',
    'O1,1,web,2026-01-05T01:20:00Z,S-FLOUR,2.5,4.00,USD,WH-A,open',
    'O2,1,web,2026-01-05T01:25:00Z,S-FLOUR,1,4.00,USD,WH-A,open',
  ].join('\n'),
};

const tempDir = useTempDir();
let db: Database;

describe('decimal order quantities and event deltas on a hand-made world', () => {
  beforeAll(async () => {
    const world = await landAndBuild(tempDir(), config, files);
    db = world.db;
    expect(world.summaries.map((summary) => [summary.source, summary.rejected])).toEqual([
      ['wms', 0],
      ['erp', 0],
      ['oms', 0],
    ]);
  });
  afterAll(() => db?.closeSync());

  it('lands a fractional order line and keeps it, and a whole one, exact in fct_order_line', async () => {
    expect(await db.rows('select order_id, quantity, revenue, is_oversell, typeof(quantity) as type from marts.fct_order_line order by order_id')).toEqual([
      { order_id: 'O1', quantity: 2.5, revenue: 10, is_oversell: false, type: 'DECIMAL(18,4)' },
      { order_id: 'O2', quantity: 1, revenue: 4, is_oversell: false, type: 'DECIMAL(18,4)' },
    ]);
  });

  it('explains a mismatch of 0.75 kg by the fractional adjustment that made it', async () => {
    expect(await db.rows(`select truth_units, system_units, diff_units, probable_cause from marts.fct_mismatch where source = 'erp' and bucket_at = '2026-01-05T02:00:00Z'`)).toEqual([
      { truth_units: 9.75, system_units: 10.5, diff_units: 0.75, probable_cause: 'unsynced_adjustment' },
    ]);
    expect(await db.rows(`select evidence_event_id, evidence_delta from marts.fct_mismatch_segment where source = 'erp'`)).toEqual([{ evidence_event_id: 'E1', evidence_delta: -0.75 }]);
    expect(await db.rows(`select event_id, delta from staging.stg_inventory_event`)).toEqual([{ event_id: 'E1', delta: -0.75 }]);
  });
});
