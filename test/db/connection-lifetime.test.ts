import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../../db/database.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();

// DuckDB works in the libuv pool while JavaScript goes on: a native crash here kills the test worker.
describe('connection lifetime', () => {
  it('closing the database while connections are still being opened refuses them instead of crashing', async () => {
    const folder = tempDir();
    for (let round = 0; round < 30; round++) {
      const db = await Database.open(path.join(folder, `open-${round}.duckdb`));
      const pending = [db.connect(), db.connect(), db.one('select 1')].map((call) => call.then(() => 'opened', (error: Error) => error.message));
      db.closeSync();
      for (const outcome of await Promise.all(pending)) expect(outcome).toMatch(/^(opened|database .* is closed)$/);
    }
    // The file is free again: a new instance opens it.
    const again = await Database.open(path.join(folder, 'open-0.duckdb'));
    expect(await again.one('select 1 as ok')).toEqual({ ok: 1 });
    again.closeSync();
  });

  it('closing a connection while its statement runs interrupts it and closes it once it stopped', async () => {
    const db = await Database.open(path.join(tempDir(), 'close.duckdb'));
    await db.run('create table t as select range as a from range(100000)');
    for (let round = 0; round < 20; round++) {
      const connection = await db.connect();
      const insert = connection.run('insert into t select range from range(300000)').then(() => 'done', (error: Error) => error.message);
      await new Promise((resolve) => setTimeout(resolve, round % 4));
      connection.closeSync();
      expect(await insert).toMatch(/^(done|INTERRUPT Error: Interrupted!)/);
    }
    expect(await db.one<{ ok: number }>('select 1 as ok')).toEqual({ ok: 1 });
    db.closeSync();
  });

  it('an interrupt that arrives while the statement is still being prepared stops it all the same', async () => {
    const db = await Database.open(path.join(tempDir(), 'interrupt.duckdb'), { settings: { threads: '2' } });
    for (let delayMs = 0; delayMs <= 12; delayMs++) {
      const connection = await db.connect();
      setTimeout(() => connection.interrupt(), delayMs);
      const outcome = await (async () => {
        for await (const chunk of connection.stream('select sum(hash(a.range * b.range)) as s from range(8000) a, range(8000) b')) void chunk;
        return 'finished';
      })().catch((error: Error) => error.message);
      expect([delayMs, outcome]).toEqual([delayMs, expect.stringMatching(/^INTERRUPT Error: Interrupted!/)]);
      // Nothing else runs on an interrupted connection.
      await expect(connection.run('select 1')).rejects.toThrow(/Interrupted/);
      connection.closeSync();
    }
    db.closeSync();
  });
});
