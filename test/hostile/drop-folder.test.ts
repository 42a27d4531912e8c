import { execFileSync } from 'node:child_process';
import { appendFileSync, createWriteStream, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from '../../db/database.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { startHostileServer, stockCsv, type HostileServer } from './hostile-server.ts';

const tempDir = useTempDir('stocklens-hostile-drop-');
let hostile: HostileServer;
let archive: string;

beforeAll(async () => {
  const dir = tempDir();
  archive = path.join(dir, 'archive');
  mkdirSync(archive);
  hostile = await startHostileServer(dir, {
    sources: {
      wms: '',
      linked: `follow_symlinks: true, symlink_roots: [./archive]`,
      slow: 'quiet_period: 2s',
    },
    yaml: 'ingest: { max_decompressed_size: 4MB, max_compression_ratio: 50, max_file_size: 60MB }',
  });
});
afterAll(() => hostile?.close());

const ledger = (file: string) =>
  hostile.db.rows<{ status: string; rows: number; rejected: number; error: string | null }>(
    sql`select status, rows::integer as rows, rejected::integer as rejected, error from ingest.batches where file like ${`%${file}`} order by started_at`,
  );

describe('a drop folder reads only complete regular files within its limits', () => {
  test('a FIFO named like a delta file is rejected once with its reason while the other files land and the server answers', async () => {
    const inbox = hostile.inbox('wms');
    execFileSync('mkfifo', [path.join(inbox, 'stock_20260101T000000Z_delta.csv')]);
    writeFileSync(path.join(inbox, 'stock_20260101T010000Z_full.csv'), stockCsv(3));
    const [run] = await hostile.ingest('wms');
    expect(run.status).toBe('succeeded');
    expect(await ledger('stock_20260101T000000Z_delta.csv')).toEqual([
      { status: 'rejected', rows: 0, rejected: 0, error: 'stock_20260101T000000Z_delta.csv is a FIFO (named pipe), not a regular file: only regular files are read' },
    ]);
    expect((await ledger('stock_20260101T010000Z_full.csv'))[0]).toMatchObject({ status: 'landed', rows: 3 });
    const answer = await hostile.api('/api/sql', { method: 'POST', body: JSON.stringify({ sql: 'select 42 as answer' }) });
    expect(await answer.json()).toMatchObject({ rows: [[42]] });
    // The next run skips it: one ledger row, and no run left running.
    await hostile.ingest('wms');
    expect(await ledger('stock_20260101T000000Z_delta.csv')).toHaveLength(1);
    expect(await hostile.db.rows(sql`select * from ingest.runs where status = 'running'`)).toEqual([]);
  });

  test('a symbolic link to /dev/zero is refused, followed or not; a link into symlink_roots is read when the source allows it', async () => {
    symlinkSync('/dev/zero', path.join(hostile.inbox('wms'), 'stock_20260101T020000Z_full.csv'));
    symlinkSync('/dev/zero', path.join(hostile.inbox('linked'), 'stock_20260101T020000Z_full.csv'));
    writeFileSync(path.join(archive, 'kept.csv'), stockCsv(4));
    symlinkSync(path.join(archive, 'kept.csv'), path.join(hostile.inbox('linked'), 'stock_20260101T030000Z_full.csv'));
    await hostile.ingest('wms', 'linked');
    const [wms] = (await ledger('wms/stock_20260101T020000Z_full.csv'));
    expect(wms.error).toBe('stock_20260101T020000Z_full.csv is a symbolic link, not read: set follow_symlinks: true on the source to read links to files in the folder or its symlink_roots');
    const [linked] = await ledger('linked/stock_20260101T020000Z_full.csv');
    expect(linked).toMatchObject({ status: 'rejected', error: 'stock_20260101T020000Z_full.csv links to /dev/zero, outside the folder and its symlink_roots: not read' });
    expect((await ledger('linked/stock_20260101T030000Z_full.csv'))[0]).toMatchObject({ status: 'landed', rows: 4 });
  });

  test('a gzip bomb within the size limit is refused as a decompression bomb once, and not read again at the next start', async () => {
    // 1 kB compressed, 20 MB of text: past max_compression_ratio and max_decompressed_size.
    const bomb = gzipSync(Buffer.concat([Buffer.from('location_id,sku,on_hand\n'), Buffer.alloc(20 << 20, 'WH-1,SKU-0001,1\n')]), { level: 9 });
    writeFileSync(path.join(hostile.inbox('wms'), 'stock_20260101T040000Z_delta.csv.gz'), bomb);
    await hostile.ingest('wms');
    await hostile.ingest('wms');
    const rows = await ledger('stock_20260101T040000Z_delta.csv.gz');
    expect(rows).toHaveLength(1);
    expect(rows[0].status).toBe('rejected');
    expect(rows[0].error).toMatch(/^expands past \d+ bytes \(ingest\.max_decompressed_size, or max_compression_ratio times its own size\): refused as a decompression bomb/);
    expect(await hostile.db.one(sql`select count(*)::integer as n from raw.stock_snapshot where batch_id in (select batch_id from ingest.batches where file like '%040000Z%')`)).toEqual({ n: 0 });
  });

  test('a file over max_file_size is refused before anything reads it', async () => {
    const file = path.join(hostile.inbox('wms'), 'stock_20260101T050000Z_full.csv');
    writeFileSync(file, 'location_id,sku,on_hand\n');
    execFileSync('truncate', ['-s', '61M', file]);
    await hostile.ingest('wms');
    const [row] = await ledger('stock_20260101T050000Z_full.csv');
    expect(row).toMatchObject({ status: 'rejected' });
    expect(row.error).toBe(`stock_20260101T050000Z_full.csv is ${61 << 20} bytes, over ingest.max_file_size (60000000 bytes): split it or raise the limit`);
  });

  test('a 40 MB line (past DuckDB\'s read buffer) is quarantined with its length, a 3 MB line once and a bad row after them at its own line, while the rows around them land', async () => {
    const file = path.join(hostile.inbox('wms'), 'stock_20260101T060000Z_delta.csv');
    const out = createWriteStream(file);
    out.write('location_id,sku,on_hand\nWH-1,SKU-0001,1\nWH-1,SKU-0002,');
    for (let megabyte = 0; megabyte < 40; megabyte++) out.write(Buffer.alloc(1 << 20, '9'));
    out.write('\nWH-1,SKU-0003,3\nWH-1,SKU-0004,');
    for (let megabyte = 0; megabyte < 3; megabyte++) out.write(Buffer.alloc(1 << 20, '7'));
    out.write('\nWH-1,SKU-0005,5\nWH-1,SKU-0006,many\n');
    await new Promise((resolve) => out.end(resolve));
    await hostile.ingest('wms');
    const [row] = await ledger('stock_20260101T060000Z_delta.csv');
    expect(row).toMatchObject({ status: 'landed', rows: 3, rejected: 3 });
    const quarantined = await hostile.db.rows<{ line: number; reason: string; head: string }>(sql`
      select line::integer as line, reason, left(raw_line, 20) as head from ingest.quarantine
      where batch_id in (select batch_id from ingest.batches where file like '%060000Z%') order by line`);
    expect(quarantined.map((entry) => entry.line)).toEqual([3, 5, 7]);
    expect(quarantined[0].reason).toBe(`line size over maximum: the line is ${(40 << 20) + 'WH-1,SKU-0002,'.length} bytes, over the 2000000 bytes a line may have (its first bytes are kept)`);
    expect(quarantined[0].head).toBe('WH-1,SKU-0002,999999');
    expect(quarantined[1].reason).toMatch(/^line size over maximum/);
    // A row after the long lines is found at its own line, with its text.
    expect(quarantined[2].head).toBe('WH-1,SKU-0006,many');
  });

  test('a full snapshot still being written is taken only once it has been quiet for quiet_period', async () => {
    const file = path.join(hostile.inbox('slow'), 'stock_20260101T070000Z_full.csv');
    const full = stockCsv(100);
    const half = full.indexOf('SKU-0051') - 5;
    writeFileSync(file, full.slice(0, half));
    const [waiting] = (await hostile.ingest('slow')) as unknown as { problems: { file: string; outcome: string; reason: string; fix: string }[] }[];
    expect(await ledger('stock_20260101T070000Z_full.csv')).toEqual([]);
    // The summary says in words why the file waits, and that nothing needs doing.
    expect(waiting.problems).toEqual([
      {
        file,
        outcome: 'waiting',
        reason: expect.stringMatching(/^it changed \d+ s ago, and a file counts as complete once it has not changed for quiet_period \(2s\): it may still be being written$/),
        fix: expect.stringMatching(/^nothing to do: a later ingest takes it once it is quiet/),
      },
    ]);
    appendFileSync(file, full.slice(half));
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    await hostile.ingest('slow');
    expect(await ledger('stock_20260101T070000Z_full.csv')).toEqual([expect.objectContaining({ status: 'landed', rows: 100, rejected: 0 })]);
  });
});
