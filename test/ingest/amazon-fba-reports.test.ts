import { utimesSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { runIngest } from '../../ingest/run-ingest.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { openSetup, writeFiles } from './helpers/ingest-setup.ts';
import { afnReport, myiReportDe, windows1252 } from './upstream/amazon-fba-reports.ts';

const tempDir = useTempDir();
let db: Database | undefined;
afterEach(() => db?.closeSync());

const downloadedAt = new Date('2026-11-03T06:15:00Z');

/** Reports kept under the names Amazon gives them, captured when they were downloaded. */
async function land(files: Record<string, string | Buffer>) {
  const dir = tempDir();
  const folder = writeFiles(dir, 'inbox/amazon', files);
  for (const name of Object.keys(files)) utimesSync(path.join(folder, name), downloadedAt, downloadedAt);
  const setup = await openSetup(
    dir,
    `sources:
  - { name: amazon-de, system: marketplace, connector: amazon-fba-report, quiet_period: 0s, path: ./inbox/amazon, pattern: "*.txt" }
locations:
  - { id: FBA-DE, name: FBA Germany, kind: marketplace_fc, truth_source: amazon-de }
`,
  );
  db = setup.db;
  const [summary] = await runIngest(setup.config, db);
  return { db, summary };
}

const stock = (database: Database) =>
  database.rows("select sku, on_hand, available_reported, damaged, committed, incoming, captured_at, raw->>'product-name' as title from raw.stock_snapshot order by sku");

describe('Amazon FBA inventory reports', () => {
  it('lands a Windows-1252 report with its text intact and blanks read per column', async () => {
    const { db, summary } = await land({ 'GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA_52938017823.txt': windows1252(myiReportDe) });
    expect(summary).toMatchObject({ status: 'succeeded', batches: 1, rows: 2, rejected: 1 });
    expect(await stock(db)).toEqual([
      { sku: 'KAFFEE-500', on_hand: 40, available_reported: 31, damaged: 4, committed: 5, incoming: 6, captured_at: '2026-11-03T06:15:00.000Z', title: 'Café Crème – 500 g „Röstung“' },
      { sku: 'TEE-ÄRMEL', on_hand: 7, available_reported: null, damaged: 0, committed: 0, incoming: 0, captured_at: '2026-11-03T06:15:00.000Z', title: 'T-Shirt “Ärmel” – Größe M' },
    ]);
    // The quarantine shows the line as Amazon wrote it, decoded the same way.
    expect(await db.rows('select line, "column", reason, raw_line from ingest.quarantine')).toEqual([
      { line: 5, column: 'on_hand', reason: 'on_hand: "viele" is not a number', raw_line: 'LOTS-1\tX00LOT0001\tB0LOT00001\tMüsli – lots of it\tNew\t4.99\tNo\t\tYes\tviele\t1\t0\t0\t1\t0.10\t0\t0\t0\t0\t0\t0' },
    ]);
  });

  it('lands GET_AFN_INVENTORY_DATA with its per-condition rows summed into one reading per SKU', async () => {
    const { db, summary } = await land({ 'GET_AFN_INVENTORY_DATA_52938017911.txt': afnReport });
    expect(summary).toMatchObject({ status: 'succeeded', batches: 1, rows: 3, rejected: 1 });
    expect((await stock(db)).map(({ sku, on_hand, available_reported, damaged, committed }) => ({ sku, on_hand, available_reported, damaged, committed }))).toEqual([
      { sku: 'KAFFEE-500', on_hand: 35, available_reported: 31, damaged: 4, committed: 0 },
      { sku: 'MUG-1', on_hand: 9, available_reported: 9, damaged: 0, committed: 0 },
      { sku: 'TEE-M', on_hand: 2, available_reported: 0, damaged: 2, committed: 0 },
    ]);
    expect(await db.one("select json_array_length(raw) as rows, raw->0->>'Warehouse-Condition-code' as first from raw.stock_snapshot where sku = 'KAFFEE-500'")).toEqual({ rows: 2, first: 'SELLABLE' });
    expect(await db.rows('select line, "column", reason from ingest.quarantine')).toEqual([{ line: 6, column: 'on_hand', reason: 'on_hand is empty' }]);
  });

  it('refuses a report it does not know and names the header and the reports it reads', async () => {
    const { db } = await land({ 'GET_FBA_FULFILLMENT_INVENTORY_HEALTH_DATA_1.txt': 'snapshot-date\tsku\tfnsku\tasin\tsellable-quantity\n2026-11-03\tA\tX\tB\t1\n' });
    expect(await db.one('select status, error from ingest.batches')).toEqual({
      status: 'rejected',
      error:
        'not an Amazon inventory report this version reads: its header is "snapshot-date, sku, fnsku, asin, sellable-quantity"; known reports are ' +
        'GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA (sku, fnsku, asin, product-name, condition, …, afn-warehouse-quantity, afn-fulfillable-quantity, afn-unsellable-quantity, afn-reserved-quantity, …, afn-inbound-*-quantity) ' +
        'or GET_AFN_INVENTORY_DATA (seller-sku, fulfillment-channel-sku, asin, condition-type, Warehouse-Condition-code, Quantity Available)',
    });
  });
});
