import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../core/load-config.ts';
import { Database, sql } from '../../db/database.ts';
import { duckdbSettings } from '../../db/duckdb-settings.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { startHostileServer, type HostileServer } from './hostile-server.ts';

const tempDir = useTempDir('stocklens-hostile-faults-');
const mounted: string[] = [];
const servers: HostileServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.close().catch(() => {});
  for (const point of mounted) execFileSync('umount', [point]);
});

/** The data folder on its own small file system (tmpfs), so that the test can fill it. */
function smallDisk(dir: string, size: string): string {
  const data = path.join(dir, 'data');
  mkdirSync(data);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', data]);
  mounted.push(data);
  return data;
}

/** Writes files until not one more byte fits (large blocks first, then smaller ones). */
function fillDisk(folder: string): string[] {
  const files: string[] = [];
  for (const size of [1 << 20, 64 << 10, 4 << 10, 512, 1]) {
    const block = Buffer.alloc(size, 1);
    for (;;) {
      const file = path.join(folder, `filler-${Date.now()}-${files.length}`);
      try {
        writeFileSync(file, block);
      } catch {
        rmSync(file, { force: true });
        break;
      }
      files.push(file);
    }
  }
  return files;
}

describe('faults leave a database that works again', () => {
  test('a checkpoint on a full disk invalidates DuckDB: the server reopens the file, reads answer, writes fail saying the disk is full, and once space is back everything works without a restart, nothing lost', async () => {
    const dir = tempDir();
    const data = smallDisk(dir, '48m');
    const hostile = await startHostileServer(dir);
    servers.push(hostile);
    await hostile.db.run('create table main.kept as select i, md5(i::varchar) as h from range(100000) t(i)');
    await hostile.db.checkpoint();
    // Small commits and an update stay in the write-ahead log until the next checkpoint.
    for (let step = 0; step < 100; step++) await hostile.db.run(`insert into main.kept select i, md5(i::varchar) from range(${200_000 + step * 1000}, ${200_000 + (step + 1) * 1000}) t(i)`);
    await hostile.db.run('update main.kept set h = md5(h) where i % 2 = 0');
    const fillers = fillDisk(data);
    await expect(hostile.db.checkpoint()).rejects.toThrow(/No space left on device/);
    // DuckDB invalidated the instance; the next use opens the file anew, which reads need no space for.
    expect(await (await fetch(`${hostile.server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await hostile.db.one('select count(*)::integer as n from main.kept')).toEqual({ n: 200_000 });
    // Whatever space the reopening freed is taken again: a write fails, saying why, and changes nothing.
    fillers.push(...fillDisk(data));
    await expect(hostile.db.run('insert into main.kept select i, md5(i::varchar) from range(300000, 400000) t(i)')).rejects.toThrow(/No space left on device/);
    expect(await (await fetch(`${hostile.server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    // Through the API, a write is refused with 507 and words that say what to do; reads still answer.
    fillers.push(...fillDisk(data));
    // (a small commit may still fit in the log's last allocated page: tokens until one does not)
    let refused = await hostile.api('/api/tokens', { method: 'POST', body: JSON.stringify({ role: 'viewer' }) });
    for (let attempt = 0; attempt < 500 && refused.status === 201; attempt++) refused = await hostile.api('/api/tokens', { method: 'POST', body: JSON.stringify({ role: 'viewer' }) });
    expect([refused.status, (await refused.json()).error]).toEqual([
      507,
      expect.stringMatching(/^the disk the database is on is full, so this change was not saved \(nothing was lost\): free space there and try again \(.*No space left on device/),
    ]);
    expect((await hostile.api('/api/sql', { method: 'POST', body: JSON.stringify({ sql: 'select 42 as answer' }) })).status).toBe(200);

    for (const file of fillers) rmSync(file);
    expect((await hostile.api('/api/tokens', { method: 'POST', body: JSON.stringify({ role: 'viewer' }) })).status).toBe(201);
    expect(await hostile.db.one('select count(*)::integer as n, count(*) filter (where i % 2 = 0 and h = md5(md5(i::varchar)))::integer as updated from main.kept')).toEqual({ n: 200_000, updated: 100_000 });
    await expect(hostile.db.checkpoint()).resolves.toBeUndefined();
  });

  test('runs a killed process left running are closed as interrupted and its spill files removed at the next start', async () => {
    const dir = tempDir();
    // What SIGKILL mid-landing and mid-build leaves: runs marked running, spill files in the temp directory.
    const first = await startHostileServer(dir);
    await first.close();
    const config = loadConfig(path.join(dir, 'stocklens.config.yaml'));
    const db = await Database.open(config.databaseFile, { settings: duckdbSettings(config) });
    await db.run(sql`insert into ingest.runs (run_id, source, trigger, attempt, started_at, status) values ('killed-landing', 'wms', 'schedule', 1, now(), 'running')`);
    await db.run(`create schema if not exists meta; create table if not exists meta.runs (run_id varchar primary key, command varchar not null, selector varchar, full_refresh boolean,
      nodes varchar[], status varchar, started_at timestamptz, finished_at timestamptz)`);
    await db.run(sql`insert into meta.runs (run_id, command, status, started_at) values ('killed-build', 'build', 'running', now())`);
    db.closeSync();
    const temp = config.duckdb.temp_directory!;
    mkdirSync(temp, { recursive: true });
    writeFileSync(path.join(temp, 'duckdb_temp_storage_S32K-0.tmp'), Buffer.alloc(1 << 20));
    writeFileSync(path.join(temp, 'duckdb_temp_block-4611686018427388032.block'), Buffer.alloc(1 << 20));

    const hostile = await startHostileServer(dir);
    servers.push(hostile);
    expect(await hostile.db.rows(sql`select run_id, status, finished_at is not null as finished, error from ingest.runs where run_id = 'killed-landing'`)).toEqual([
      { run_id: 'killed-landing', status: 'interrupted', finished: true, error: 'the process stopped before the run finished (killed or crashed); its batches were not landed' },
    ]);
    expect(await hostile.db.rows(sql`select run_id, status from meta.runs`)).toEqual([{ run_id: 'killed-build', status: 'interrupted' }]);
    expect(readdirSync(temp).filter((name) => name.startsWith('duckdb_temp'))).toEqual([]);
    expect(existsSync(path.join(temp, 'downloads'))).toBe(false);
  });
});
