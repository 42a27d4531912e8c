import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { runIngest } from '../../ingest/run-ingest.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { openSetup, twoWarehouses, writeFiles } from './helpers/ingest-setup.ts';

const tempDir = useTempDir();
let db: Database | undefined;
afterEach(() => db?.closeSync());

const stock = (body: string) => `location_id,sku,on_hand\n${body}`;
const huge = 'x'.repeat(2_500_000);

/** Each malformed file with the one outcome it must get. Times in names keep them apart. */
const corpus: Record<string, { content: string | Buffer; rejected?: string; quarantined?: { line: number; column: string | null; reason: string; raw_line: string }[]; rows?: number }> = {
  'stock_20261101T000100Z_delta.csv': { content: 'location_id;sku;on_hand\nWH-EAST;A;1\n', rejected: 'the header is one column "location_id;sku;on_hand": the file is separated by ";", expected comma-separated values' },
  'stock_20261101T000200Z_delta.csv': { content: 'location_id,on_hand\nWH-EAST,1\n', rejected: 'missing required column sku (a stock file needs location_id, sku); the header has location_id, on_hand' },
  'stock_20261101T000300Z_delta.csv': { content: stock('WH-EAST,A,1\nWH-EAST,B,ten\n'), rows: 1, quarantined: [{ line: 3, column: 'on_hand', reason: 'on_hand: "ten" is not a number', raw_line: 'WH-EAST,B,ten' }] },
  // Negative on-hand is a state upstream (allowed negative stock), not bad data: it lands.
  'stock_20261101T000400Z_delta.csv': { content: stock('WH-EAST,A,-3\nWH-EAST,B,2\n'), rows: 2, quarantined: [] },
  'stock_20261101T000500Z_delta.csv': { content: stock('WH-EAST,A,1\nWH-WEST,A,1\nWH-EAST,A,2\n'), rows: 2, quarantined: [{ line: 4, column: null, reason: 'duplicate key (location_id, sku) within the batch', raw_line: 'WH-EAST,A,2' }] },
  'stock_20261101T000600Z_delta.csv': { content: 'captured_at,location_id,sku,on_hand\nyesterday,WH-EAST,A,1\n2026-11-01T00:06:00Z,WH-EAST,B,1\n', rows: 1, quarantined: [{ line: 2, column: 'captured_at', reason: 'captured_at: "yesterday" is not a timestamp', raw_line: 'yesterday,WH-EAST,A,1' }] },
  'stock_20261101T000700Z_delta.csv': { content: 'captured_at,location_id,sku,on_hand\n2099-01-01T00:00:00Z,WH-EAST,A,1\n', rows: 0, quarantined: [{ line: 2, column: 'captured_at', reason: 'captured_at is in the future: 2099-01-01T00:00:00Z', raw_line: '2099-01-01T00:00:00Z,WH-EAST,A,1' }] },
  'stock_20261101T000800Z_delta.csv': { content: `\uFEFF${stock('WH-EAST,A,1\n')}`, rows: 1, quarantined: [] },
  'stock_20261101T000900Z_delta.csv': { content: '', rejected: 'empty file: no header line (a file needs at least its header)' },
  'stock_20261101T001000Z_delta.csv.gz': { content: gzipSync(stock('WH-EAST,A,1\n'.repeat(500))).subarray(0, 40), rejected: 'gzip stream is truncated or corrupt (unexpected end of file): resend the file' },
  'stock_20261101T001100Z_delta.csv': {
    content: stock(`WH-EAST,A,1\nWH-EAST,${huge},2\nWH-EAST,C,x\n`),
    rows: 1,
    quarantined: [
      { line: 3, column: null, reason: 'line size over maximum: Maximum line size of 2000000 bytes exceeded. Actual Size:2500010 bytes.', raw_line: `WH-EAST,${huge.slice(0, 9992)}`.slice(0, 60) },
      { line: 4, column: 'on_hand', reason: 'on_hand: "x" is not a number', raw_line: 'WH-EAST,C,x' },
    ],
  },
  'stock_20261101T001200Z_delta.csv': { content: stock('WH-MARS,A,1\n'), rows: 0, quarantined: [{ line: 2, column: 'location_id', reason: 'unknown location "WH-MARS": add it to `locations:` in the config, or map it in the source\'s `location_map`', raw_line: 'WH-MARS,A,1' }] },
  // Lines after a refused line, a blank line and a quoted field spanning two lines keep their own numbers.
  'stock_20261101T001300Z_delta.csv': {
    content: stock('WH-EAST,A,1\nWH-EAST,B,2,9\n\n"WH-\nEAST",C,3\nWH-EAST,D,-1\n'),
    rows: 2,
    quarantined: [
      { line: 3, column: null, reason: 'too many columns: Expected Number of Columns: 3 Found: 4', raw_line: 'WH-EAST,B,2,9' },
      { line: 5, column: 'location_id', reason: 'unknown location "WH-\\nEAST": add it to `locations:` in the config, or map it in the source\'s `location_map`', raw_line: '"WH-\nEAST",C,3' },
    ],
  },
  'stock_20261101T001400Z_delta.csv': { content: stock('WH-EAST,A\nWH-EAST,B,2\n'), rows: 1, quarantined: [{ line: 2, column: 'on_hand', reason: 'missing columns: Expected Number of Columns: 3 Found: 2', raw_line: 'WH-EAST,A' }] },
  'stock_20261101T001500Z_delta.csv': { content: stock('WH-EAST,B,2\n"WH-EAST,A,1\n'), rows: 1, quarantined: [{ line: 3, column: 'location_id', reason: 'unquoted value: Value with unterminated quote found.', raw_line: '"WH-EAST,A,1' }] },
  'stock_20261101T001600Z_delta.csv': { content: stock('WH-EAST,,1\n'), rows: 0, quarantined: [{ line: 2, column: 'sku', reason: 'sku is empty', raw_line: 'WH-EAST,,1' }] },
  // A decimal lands; a number in an undeclared locale format or in exponent notation does not.
  'stock_20261101T001700Z_delta.csv': {
    content: 'location_id,sku,on_hand\r\nWH-EAST,A,2.5\r\nWH-EAST,B,"1,200"\r\nWH-EAST,C,1e3\r\n',
    rows: 1,
    quarantined: [
      {
        line: 3,
        column: 'on_hand',
        reason: 'on_hand: "1,200" is not a number (plain numbers such as 1200.5 expected: for 1,200.5 set the source\'s thousands: ",", for 1.200,5 its decimal: "," and thousands: ".")',
        raw_line: 'WH-EAST,B,"1,200"',
      },
      { line: 4, column: 'on_hand', reason: 'on_hand: "1e3" is not a number', raw_line: 'WH-EAST,C,1e3' },
    ],
  },
  'stock_20261101T001800Z_delta.csv': { content: 'location_id,sku,sku,on_hand\nWH-EAST,A,A,1\n', rejected: 'header names column "sku" twice' },
  'orders_20261101T001900Z.csv': { content: 'order_id,line_id,sku,quantity,status\nO1,1,A,1,open\n', rejected: 'missing required column placed_at (a orders file needs order_id, line_id, placed_at, sku, quantity, status); the header has order_id, line_id, sku, quantity, status' },
  'orders_20261101T002000Z.csv': {
    content: 'order_id,line_id,placed_at,sku,quantity,status\nO1,1,2026-02-30T10:00:00Z,A,1,open\nO2,1,2026-10-30T10:00:00Z,A,1,open\n',
    rows: 1,
    quarantined: [{ line: 2, column: 'placed_at', reason: 'placed_at: "2026-02-30T10:00:00Z" is not a timestamp', raw_line: 'O1,1,2026-02-30T10:00:00Z,A,1,open' }],
  },
  'events_20261101T002100Z.csv': {
    content: 'event_id,occurred_at,location_id,sku,delta,reason\nE1,2026-10-30T10:00:00Z,WH-EAST,A,x,correction\n',
    rows: 0,
    quarantined: [{ line: 2, column: 'delta', reason: 'delta: "x" is not a number', raw_line: 'E1,2026-10-30T10:00:00Z,WH-EAST,A,x,correction' }],
  },
  'stock_20261101T002400Z_delta.csv': { content: 'location_id,sku,committed\nWH-EAST,A,1\n', rejected: 'missing column: a stock file needs on_hand or available_reported; the header has location_id, sku, committed' },
  'stock_20261101T002500Z_delta.csv': { content: 'location_id,sku,on_hand,available_reported\nWH-EAST,A,,3\n', rows: 0, quarantined: [{ line: 2, column: 'on_hand', reason: 'on_hand is empty', raw_line: 'WH-EAST,A,,3' }] },
  'stock_20261101T002200Z_delta.json': { content: '[{"location_id": "WH-EAST", "sku": "A", "on_hand": 1}, {"location_id": ', rejected: 'stock_20261101T002200Z_delta.json cannot be read as json' },
  'stock_20261101T002300Z_delta.json': {
    content: '[{"location_id": "WH-EAST", "sku": "A", "on_hand": 1}, {"location_id": "WH-EAST", "sku": "B", "on_hand": "lots"}]',
    rows: 1,
    quarantined: [{ line: 2, column: 'on_hand', reason: 'on_hand: "lots" is not a number', raw_line: '{"location_id":"WH-EAST","sku":"B","on_hand":"lots"}' }],
  },
};

describe('a corpus of malformed files', () => {
  it('gives each file its precise quarantine reason or rejection while the other files and sources land', async () => {
    const dir = tempDir();
    writeFiles(dir, 'inbox/wms', Object.fromEntries(Object.entries(corpus).map(([name, entry]) => [name, entry.content])));
    writeFiles(dir, 'inbox/erp', { 'stock_20261101T060000Z_full.csv': stock('WH-EAST,A,5\nWH-WEST,A,7\n') });
    const setup = await openSetup(
      dir,
      `sources:\n  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./inbox/wms }\n  - { name: erp, system: erp, connector: csv-drop, quiet_period: 0s, path: ./inbox/erp }\n${twoWarehouses}`,
    );
    db = setup.db;
    const summaries = await runIngest(setup.config, db, { });
    expect(Object.keys(corpus).length).toBeGreaterThanOrEqual(20);
    expect(summaries.find((summary) => summary.source === 'erp')).toMatchObject({ status: 'succeeded', batches: 1, rows: 2, rejected: 0 });

    const batches = await db.rows<{ file: string; batch_id: string; status: string; rows: number; rejected: number; error: string | null }>(
      "select regexp_extract(file, '[^/]+$') as file, batch_id, status, rows, rejected, error from ingest.batches where source = 'wms'",
    );
    const quarantine = await db.rows<{ batch_id: string; line: number; column: string | null; reason: string; raw_line: string }>(
      'select batch_id, line, "column", reason, raw_line from ingest.quarantine order by batch_id, line',
    );
    for (const [name, expected] of Object.entries(corpus)) {
      const batch = batches.find((entry) => entry.file === name);
      expect(batch, name).toBeDefined();
      if (expected.rejected) {
        expect({ name, status: batch!.status, rows: batch!.rows }).toEqual({ name, status: 'rejected', rows: 0 });
        expect(batch!.error, name).toContain(expected.rejected);
        continue;
      }
      const lines = quarantine.filter((entry) => entry.batch_id === batch!.batch_id).map(({ line, column, reason, raw_line }) => ({ line, column, reason, raw_line: raw_line.length > 1000 ? raw_line.slice(0, 60) : raw_line }));
      expect({ name, status: batch!.status, rows: batch!.rows, rejected: batch!.rejected, lines }).toEqual({
        name,
        status: 'landed',
        rows: expected.rows,
        rejected: expected.quarantined!.length,
        lines: expected.quarantined,
      });
    }
    const landed = await db.one<{ n: number }>("select count(*) as n from raw.stock_snapshot where source = 'wms'");
    const expectedStockRows = Object.entries(corpus).filter(([name, entry]) => name.startsWith('stock') && !entry.rejected).reduce((sum, [, entry]) => sum + entry.rows!, 0);
    expect(landed?.n).toBe(expectedStockRows);
  });

  it('keeps unknown extra columns of a file in raw', async () => {
    const dir = tempDir();
    writeFiles(dir, 'inbox', { 'stock_20261101T000000Z_full.csv': 'location_id,sku,bin,on_hand,lot\nWH-EAST,A,A-01,4,L7\n' });
    const setup = await openSetup(dir, `sources:\n  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./inbox }\n${twoWarehouses}`);
    db = setup.db;
    await runIngest(setup.config, db);
    expect(await db.rows('select sku, on_hand, raw::varchar as raw from raw.stock_snapshot')).toEqual([{ sku: 'A', on_hand: 4, raw: '{"bin":"A-01","lot":"L7"}' }]);
  });
});
