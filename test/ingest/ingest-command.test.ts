import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../../db/database.ts';
import { runCli } from '../helpers/stocklens-cli.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { twoWarehouses, writeFiles } from './helpers/ingest-setup.ts';

const tempDir = useTempDir();

describe('stocklens ingest', () => {
  it('ends with a summary table, holds a shrunken full batch, and --accept releases it', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const rows = Array.from({ length: 10 }, (_, index) => `WH-EAST,S${index},5`).join('\n');
    writeFiles(dir, 'inbox', {
      'stock_20261101T000000Z_full.csv': `location_id,sku,on_hand\n${rows}\n`,
      'stock_20261102T000000Z_full.csv': 'location_id,sku,on_hand\nWH-EAST,S1,5\nWH-EAST,S2,x\n',
    });
    writeFiles(dir, '.', { 'stocklens.config.yaml': `sources:\n  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./inbox }\n${twoWarehouses}` });
    const config = path.join(dir, 'stocklens.config.yaml');

    const ingest = runCli(['ingest', '--config', config]);
    // A quarantined row and a held batch wait for the user: the run says so with exit code 2.
    expect(ingest.status).toBe(2);
    const table = ingest.stderr.split('\n').filter((line) => /^(source|wms)\s/.test(line));
    expect(table[0].split(/\s+/)).toEqual(['source', 'status', 'batches', 'skipped', 'rows', 'rejected', 'held', 'failed', 'duration']);
    expect(table[1].split(/\s+/).slice(0, 8)).toEqual(['wms', 'succeeded', '2', '0', '11', '1', '1', '0']);
    expect(ingest.stderr).toContain('1 full batch held by the empty-extract guard');

    const heldId = await withDatabase(dir, async (db) => (await db.one<{ batch_id: string }>("select batch_id from ingest.batches where status = 'held'"))!.batch_id);
    const accept = runCli(['ingest', '--config', config, '--accept', heldId]);
    expect(accept.status).toBe(0);
    expect(accept.stderr).toContain(`accepted batch ${heldId} of wms (1 row)`);
    expect(await withDatabase(dir, (db) => db.rows('select status from ingest.batches order by captured_at'))).toEqual([{ status: 'landed' }, { status: 'landed' }]);

    const again = runCli(['ingest', '--config', config, '--accept', heldId]);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain(`batch ${heldId} is landed, not held: only a held batch can be accepted`);
  });
});

async function withDatabase<T>(dir: string, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await Database.open(path.join(dir, 'data', 'stocklens.duckdb'));
  try {
    return await fn(db);
  } finally {
    db.closeSync();
  }
}
