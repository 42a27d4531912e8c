import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/load-config.ts';
import { Database } from '../../db/database.ts';
import { csvDropConnector } from '../../ingest/connectors/csv-drop.ts';
import { fileLimits, inspectDropFile, listDropFolder } from '../../ingest/files/drop-folder.ts';
import { batchReadRejects, createStagingTable } from '../../ingest/staging-tables.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir('stocklens-hostile-swap-');

/**
 * The drop folder checks a file, then DuckDB reads it later (a landing groups files and reads them
 * in one statement). Whatever the name is swapped for in between, what is read is the file that
 * was checked, or nothing: the read fails as transient and the file is looked at again next run.
 */
describe('a drop file swapped between the listing and the read', () => {
  const swaps: [string, (file: string, dir: string) => void, RegExp][] = [
    ['a FIFO', (file) => {
        rmSync(file);
        execFileSync('mkfifo', [file]);
      }, /became a FIFO \(named pipe\) since the folder was listed/],
    ['a link to a file outside the folder', (file, dir) => {
        rmSync(file);
        symlinkSync(path.join(dir, 'secret.csv'), file);
      }, /became a symbolic link since the folder was listed/],
    ['another regular file renamed over it', (file, dir) => renameSync(path.join(dir, 'secret.csv'), file), /was replaced by another file since the folder was listed/],
  ];

  it.each(swaps)('%s: the read is refused as transient and reads nothing of it', async (_name, swap, message) => {
    const dir = tempDir();
    const inbox = path.join(dir, 'inbox');
    mkdirSync(inbox);
    const file = path.join(inbox, 'stock_20261101T060000Z_full.csv');
    writeFileSync(file, 'location_id,sku,on_hand\nWH-EAST,A,10\n');
    writeFileSync(path.join(dir, 'secret.csv'), 'location_id,sku,on_hand\nWH-EAST,SECRET,99\n');
    const config = parseConfig(
      'sources:\n  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./inbox }\nlocations:\n  - { id: WH-EAST, name: East }\n',
      path.join(dir, 'stocklens.config.yaml'),
    );
    const db = await Database.open(config.databaseFile);
    try {
      const [batch] = await csvDropConnector(config.sources[0], config).listBatches();
      expect(batch.file).toBe(file);
      swap(file, dir);
      const outcome = await db.withConnection(async (connection) => {
        // What a landing creates before it stages a batch.
        await createStagingTable(connection, batchReadRejects);
        try {
          await batch.stage(connection);
          return { read: await connection.rows('select sku from batch_input') };
        } catch (error) {
          return { error: (error as Error).message, transient: (error as { context?: { transient?: boolean } }).context?.transient };
        }
      });
      expect(outcome).toEqual({ error: expect.stringMatching(message), transient: true });
    } finally {
      db.closeSync();
    }
  });
});

/** The other two reads of a drop file, its hashing after the listing and the lookup of a quarantined row's line after the read, go through the same open descriptor. */
describe('a drop file swapped for a FIFO before its other reads', () => {
  const setUp = async (content: string) => {
    const dir = tempDir();
    const inbox = path.join(dir, 'inbox');
    mkdirSync(inbox);
    const file = path.join(inbox, 'stock_20261101T060000Z_full.csv');
    writeFileSync(file, content);
    const config = parseConfig(
      'sources:\n  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./inbox }\nlocations:\n  - { id: WH-EAST, name: East }\n',
      path.join(dir, 'stocklens.config.yaml'),
    );
    const toFifo = () => {
      rmSync(file);
      execFileSync('mkfifo', [file]);
    };
    return { config, file, toFifo };
  };

  it('is not hashed: the file is left for the next run instead of blocking the listing', async () => {
    const { config, file, toFifo } = await setUp('location_id,sku,on_hand\nWH-EAST,A,10\n');
    const [entry] = await listDropFolder(config.sources[0], config);
    expect(entry.file).toBe(file);
    toFifo();
    expect(await inspectDropFile(entry, false, fileLimits(config))).toBeUndefined();
  }, 10_000);

  it("is not read for a quarantined row's line: the lookup is refused as transient", async () => {
    const { config, toFifo } = await setUp('location_id,sku,on_hand\nWH-EAST,A,10\nWH-EAST,B,not-a-number\n');
    const db = await Database.open(config.databaseFile);
    try {
      const [batch] = await csvDropConnector(config.sources[0], config).listBatches();
      const outcome = await db.withConnection(async (connection) => {
        await createStagingTable(connection, batchReadRejects);
        const staged = await batch.stage(connection);
        toFifo();
        return staged?.locate?.(0, [2]).then(
          () => 'read',
          (error: Error & { context?: { transient?: boolean } }) => ({ error: error.message, transient: error.context?.transient }),
        );
      });
      expect(outcome).toEqual({ error: expect.stringMatching(/became a FIFO \(named pipe\) since the folder was listed/), transient: true });
    } finally {
      db.closeSync();
    }
  }, 10_000);
});
