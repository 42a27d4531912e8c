import { utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../../db/database.ts';
import { runIngest } from '../../ingest/run-ingest.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { openSetup, writeFiles } from './helpers/ingest-setup.ts';
import { currentExport } from './upstream/shopify-csv-exports.ts';

const tempDir = useTempDir();
const yaml = 'sources:\n  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./inbox }\nlocations:\n  - { id: WH-EAST, name: East }\n';
const modified = new Date('2026-12-01T15:05:00Z');

/**
 * The tests run as root, for whom no file is unreadable. A file rewritten with other content of
 * the same size and given back its modification time shows whether the ingest read it: read,
 * its new content lands as a new batch; left alone, nothing changes.
 */
function rewriteKeepingStamp(file: string, content: string, at = modified): void {
  writeFileSync(file, content);
  utimesSync(file, at, at);
}

async function setup(files: Record<string, string>) {
  const dir = tempDir();
  const inbox = writeFiles(dir, 'inbox', files);
  for (const name of Object.keys(files)) utimesSync(path.join(inbox, name), modified, modified);
  return { dir, inbox, ...(await openSetup(dir, yaml)) };
}

const skus = (db: Database) => db.rows('select sku, on_hand from raw.stock_snapshot order by captured_at, sku');

describe('a file the ledger holds at the same path, size and modification time', () => {
  it('is not read again, and counts as skipped', async () => {
    const { inbox, config, db } = await setup({ 'stock_20261201T150000Z.csv': 'location_id,sku,on_hand\nWH-EAST,A,10\n' });
    expect((await runIngest(config, db))[0]).toMatchObject({ batches: 1, rows: 1 });
    expect(await db.rows('select file_size_bytes, file_mtime_ms from ingest.batches')).toEqual([{ file_size_bytes: 37, file_mtime_ms: modified.getTime() }]);

    rewriteKeepingStamp(path.join(inbox, 'stock_20261201T150000Z.csv'), 'location_id,sku,on_hand\nWH-EAST,B,20\n');
    expect((await runIngest(config, db))[0]).toMatchObject({ status: 'succeeded', batches: 0, skipped: 1, rows: 0, problems: [] });
    expect(await skus(db)).toEqual([{ sku: 'A', on_hand: 10 }]);
    db.closeSync();
  });

  it('is read again once rewritten in place with a new modification time', async () => {
    const { inbox, config, db } = await setup({ 'stock_20261201T150000Z.csv': 'location_id,sku,on_hand\nWH-EAST,A,10\n' });
    await runIngest(config, db);
    const later = new Date(modified.getTime() + 60_000);
    rewriteKeepingStamp(path.join(inbox, 'stock_20261201T150000Z.csv'), 'location_id,sku,on_hand\nWH-EAST,B,20\n', later);
    expect((await runIngest(config, db))[0]).toMatchObject({ batches: 1, skipped: 0, rows: 1 });
    expect(await skus(db)).toEqual([
      { sku: 'A', on_hand: 10 },
      { sku: 'B', on_hand: 20 },
    ]);
    db.closeSync();
  });

  it('is read again once its size changes, even with the same modification time', async () => {
    const { inbox, config, db } = await setup({ 'stock_20261201T150000Z.csv': 'location_id,sku,on_hand\nWH-EAST,A,10\n' });
    await runIngest(config, db);
    rewriteKeepingStamp(path.join(inbox, 'stock_20261201T150000Z.csv'), 'location_id,sku,on_hand\nWH-EAST,A,10\nWH-EAST,B,20\n');
    expect((await runIngest(config, db))[0]).toMatchObject({ batches: 1, rows: 2 });
    db.closeSync();
  });

  it('is stamped anew when touched without a change of content, so the next run does not read it', async () => {
    const { inbox, config, db } = await setup({ 'stock_20261201T150000Z.csv': 'location_id,sku,on_hand\nWH-EAST,A,10\n' });
    await runIngest(config, db);
    const touched = new Date(modified.getTime() + 60_000);
    utimesSync(path.join(inbox, 'stock_20261201T150000Z.csv'), touched, touched);
    expect((await runIngest(config, db))[0]).toMatchObject({ batches: 0, skipped: 1 });
    expect(await db.rows('select file_mtime_ms from ingest.batches')).toEqual([{ file_mtime_ms: touched.getTime() }]);

    rewriteKeepingStamp(path.join(inbox, 'stock_20261201T150000Z.csv'), 'location_id,sku,on_hand\nWH-EAST,B,20\n', touched);
    expect((await runIngest(config, db))[0]).toMatchObject({ batches: 0, skipped: 1 });
    expect(await skus(db)).toEqual([{ sku: 'A', on_hand: 10 }]);
    db.closeSync();
  });

  it('is still reported as rejected when it was rejected before', async () => {
    const { inbox, config, db } = await setup({ 'stock_20261201T160000Z.csv': 'location_id,sku,onhand\nWH-EAST,A,10\n' });
    const [first] = await runIngest(config, db);
    expect(first.problems).toEqual([expect.objectContaining({ outcome: 'rejected', again: false })]);
    const reason = first.problems[0].reason;
    expect(reason).toContain('rename onhand to on_hand');

    // Read again, other content would be a new batch rejected for the first time (again: false).
    rewriteKeepingStamp(path.join(inbox, 'stock_20261201T160000Z.csv'), 'location_id,sku,onhand\nWH-EAST,B,20\n');
    const [second] = await runIngest(config, db);
    expect(second).toMatchObject({ batches: 0, skipped: 1, failedBatches: 0 });
    expect(second.problems).toEqual([{ file: path.join(inbox, 'stock_20261201T160000Z.csv'), outcome: 'rejected', reason, fix: first.problems[0].fix, again: true }]);
    db.closeSync();
  });

  it('is hashed when its batch landed before the ledger kept stamps, and the ledger gains the columns', async () => {
    const { inbox, config, db } = await setup({ 'stock_20261201T150000Z.csv': 'location_id,sku,on_hand\nWH-EAST,A,10\n' });
    await runIngest(config, db);
    // The ledger as it was before: no stamp columns.
    await db.run('alter table ingest.batches drop column file_size_bytes; alter table ingest.batches drop column file_mtime_ms');
    db.closeSync();
    const reopened = await Database.open(config.databaseFile);

    rewriteKeepingStamp(path.join(inbox, 'stock_20261201T150000Z.csv'), 'location_id,sku,on_hand\nWH-EAST,B,20\n');
    expect((await runIngest(config, reopened))[0]).toMatchObject({ batches: 1, rows: 1 });
    expect(await reopened.rows('select file_size_bytes, file_mtime_ms from ingest.batches order by captured_at, started_at')).toEqual([
      { file_size_bytes: null, file_mtime_ms: null },
      { file_size_bytes: 37, file_mtime_ms: modified.getTime() },
    ]);
    reopened.closeSync();
  });

  it('is not read again from a vendor connector either (a Shopify export under its own name)', async () => {
    const dir = tempDir();
    const folder = writeFiles(dir, 'inbox/shopify', { 'inventory_export_1.csv': currentExport });
    utimesSync(path.join(folder, 'inventory_export_1.csv'), modified, modified);
    const { config, db } = await openSetup(
      dir,
      'sources:\n  - { name: shopify, system: ecommerce, connector: shopify-csv, quiet_period: 0s, path: ./inbox/shopify, pattern: "inventory_export_*.csv" }\nlocations:\n  - { id: WH-EAST, name: East DC }\n  - { id: WH-WEST, name: West DC }\n',
    );
    expect((await runIngest(config, db))[0]).toMatchObject({ batches: 1, rows: 3 });
    rewriteKeepingStamp(path.join(folder, 'inventory_export_1.csv'), currentExport.replaceAll('MUG-01', 'MUG-02'));
    expect((await runIngest(config, db))[0]).toMatchObject({ batches: 0, skipped: 1 });
    expect(await db.rows("select count(*) as mugs from raw.stock_snapshot where sku = 'MUG-02'")).toEqual([{ mugs: 0 }]);

    const later = new Date(modified.getTime() + 60_000);
    utimesSync(path.join(folder, 'inventory_export_1.csv'), later, later);
    expect((await runIngest(config, db))[0]).toMatchObject({ batches: 1, rows: 3 });
    db.closeSync();
  });
});
