import { describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { buildModels } from '../../models/runner/build.ts';
import { compileBody, loadProject } from '../../models/runner/project.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { openProjectDb, writeProject } from './model-project.ts';

const tempDir = useTempDir();

const hourlyTotals = (strategy: string) => `-- Units per key and hour.
-- materialized: incremental
-- incremental_strategy: ${strategy}
-- unique_key: [bucket_at, k]
-- time_column: bucket_at
-- lookback: 3h
-- tests: unique(bucket_at, k), not_null(bucket_at)
select date_trunc('hour', e.t) as bucket_at, e.k, sum(e.v) as total, count(*) as events
from src.events e
where {{ incremental_window('date_trunc(''hour'', e.t)') }}
group by all
`;

const models = {
  'marts/totals_merge.sql': hourlyTotals('merge'),
  'marts/totals_delete_insert.sql': hourlyTotals('delete+insert'),
  'marts/log_append.sql': `-- Every log line once.
-- materialized: incremental
-- incremental_strategy: append
-- time_column: t
-- tests: unique(id)
select id, t, k, v from src.log where {{ incremental_window('t') }}
`,
};

/** mulberry32: a small seeded generator, so a failing sequence can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const hourMs = 3_600_000;
const startMs = Date.parse('2026-11-02T00:00:00Z');

async function rowsOf(db: Database, query: string): Promise<unknown[]> {
  return db.rows(`select * from (${query}) order by all`);
}

describe('incremental models', () => {
  for (const seed of [1, 7, 42]) {
    it(`equal their full refresh row for row after random appends (seed ${seed})`, async () => {
      const next = random(seed);
      const { dir, config } = writeProject(tempDir(), models);
      const project = loadProject(dir);
      const db = await openProjectDb(config);
      await db.run('create schema src; create table src.events (t timestamptz, k varchar, v integer); create table src.log (id integer, t timestamptz, k varchar, v integer)');
      let latestMs = startMs;
      let logMs = startMs;
      let id = 0;
      for (let step = 0; step < 6; step++) {
        // Events arrive late by up to the 3 h lookback (measured from the latest hour built) or up to 3 h ahead.
        const latestHourMs = Math.floor(latestMs / hourMs) * hourMs;
        const events = Array.from({ length: 1 + Math.floor(next() * 40) }, () => {
          const t = latestHourMs - 3 * hourMs + Math.floor(next() * (latestMs - latestHourMs + 6 * hourMs));
          return { t, k: `k${Math.floor(next() * 4)}`, v: Math.floor(next() * 100) - 20 };
        });
        latestMs = Math.max(latestMs, ...events.map((event) => event.t));
        // The log is append-only in time: every new line is later than the last one.
        const lines = Array.from({ length: Math.floor(next() * 20) }, () => {
          logMs += 1 + Math.floor(next() * 2 * hourMs);
          return { id: id++, t: logMs, k: `k${Math.floor(next() * 4)}`, v: Math.floor(next() * 10) };
        });
        for (const event of events) await db.run(`insert into src.events values (to_timestamp(${event.t / 1000}), '${event.k}', ${event.v})`);
        for (const line of lines) await db.run(`insert into src.log values (${line.id}, to_timestamp(${line.t / 1000}), '${line.k}', ${line.v})`);

        const summary = await buildModels(config, db, { modelsDir: dir });
        const statuses = summary.results.map((result) => [result.node, result.status, result.error]).sort();
        expect(statuses).toEqual([...project.order].sort().map((name) => [name, 'success', undefined]));
        for (const name of project.order) {
          const full = compileBody(project.models.get(name)!, project);
          expect(await rowsOf(db, `select * from marts.${name}`), `${name} after step ${step}`).toEqual(await rowsOf(db, full));
        }
      }
      // And the runner's own --full-refresh rebuilds the very same rows.
      const before = await Promise.all(project.order.map((name) => rowsOf(db, `select * from marts.${name}`)));
      expect((await buildModels(config, db, { modelsDir: dir, fullRefresh: true })).ok).toBe(true);
      expect(await Promise.all(project.order.map((name) => rowsOf(db, `select * from marts.${name}`)))).toEqual(before);
    });
  }
});
