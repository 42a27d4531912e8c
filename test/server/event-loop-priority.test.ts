import os from 'node:os';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Database } from '../../db/database.ts';
import { keepEventLoopAhead } from '../../server/event-loop-priority.ts';

describe.runIf(process.platform === 'linux')('the event loop ahead of the query threads', () => {
  it("lowers every other thread's priority, the DuckDB and libuv ones included, and leaves the event loop's", async () => {
    const db = await Database.open(':memory:');
    // Queries at once start the libuv pool's threads and DuckDB's own.
    await Promise.all(Array.from({ length: 4 }, () => db.one('select count(*) from range(2000000)')));
    const before = os.getPriority(process.pid);
    const stop = keepEventLoopAhead();
    try {
      const others = readdirSync('/proc/self/task').map(Number).filter((tid) => tid !== process.pid);
      expect(others.length).toBeGreaterThan(3);
      for (const tid of others) {
        try {
          expect(os.getPriority(tid), `thread ${tid}`).toBeGreaterThanOrEqual(10);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // ended meanwhile
        }
      }
      expect(os.getPriority(process.pid)).toBe(before);
    } finally {
      stop();
      db.closeSync();
    }
  });
});
