import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { landAndBuild } from '../helpers/hand-made-world.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

/**
 * Stock sold by weight: the WMS counts kilograms to the decimal, and a storefront that shows the
 * same 12.5 kg is right. A channel's share is rounded down to whole units only where the stock is
 * counted in whole units; a fractional count keeps its fraction (docs/metrics.md, "Expected
 * channel ATS").
 */
const config = `
compare_every: 1h
sources:
  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./wms, max_staleness: 2h }
  - { name: web, system: ecommerce, connector: csv-drop, quiet_period: 0s, path: ./web, max_staleness: 2h }
  - { name: market, system: marketplace, connector: csv-drop, quiet_period: 0s, path: ./market, max_staleness: 2h }
locations:
  - { id: WH-A, name: Warehouse A, truth_source: wms }
channels:
  - { name: web, kind: web, source: web, locations: [WH-A], share: 1 }
  - { name: market, kind: marketplace, source: market, locations: [WH-A], share: 0.5 }
`;

const files: Record<string, [string, string]> = {
  'wms/stock_20260105T000000Z_full.csv': [
    'location_id,sku,on_hand,committed,reserved_other,damaged,quality_control,safety_stock',
    // Flour by the kilo: 12.5 kg free. Jars by the unit: 7 free.
    'WH-A,FLOUR-KG,12.5,0,0,0,0,0\nWH-A,JAR,7,0,0,0,0,0',
  ],
  // The storefront shows all of it, fraction included: right on both SKUs.
  'web/stock_20260105T000000Z_full.csv': ['location_id,sku,available_reported', 'WH-A,FLOUR-KG,12.5\nWH-A,JAR,7'],
  // The marketplace gets half: 6.25 kg of flour, and 3 jars (half of 7, in whole jars). It shows 6 kg: short by 0.25.
  'market/stock_20260105T000000Z_full.csv': ['location_id,sku,available_reported', 'WH-A,FLOUR-KG,6\nWH-A,JAR,3'],
};

const tempDir = useTempDir();
let db: Database;

describe('a channel share of stock counted in fractions', () => {
  beforeAll(async () => {
    const world = await landAndBuild(tempDir(), config, Object.fromEntries(Object.entries(files).map(([file, [header, rows]]) => [file, `${header}\n${rows}`])));
    db = world.db;
  });
  afterAll(() => db?.closeSync());

  it('keeps the fraction where the stock has one and rounds whole units down', async () => {
    const rows = await db.rows(`
      select source, sku, truth_units, system_units, diff_units, direction
      from marts.fct_mismatch order by source, sku`);
    expect(rows).toEqual([{ source: 'market', sku: 'FLOUR-KG', truth_units: 6.25, system_units: 6, diff_units: -0.25, direction: 'under' }]);
  });
});
