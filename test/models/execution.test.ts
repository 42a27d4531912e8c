import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModels, testModels } from '../../models/runner/build.ts';
import { readManifest } from '../../models/runner/manifest.ts';
import { loadProject } from '../../models/runner/project.ts';
import { criticalPath, runDag, type DagNode } from '../../models/runner/run-dag.ts';
import { RunHistory } from '../../models/runner/run-history.ts';
import { selectModels } from '../../models/runner/select-nodes.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { openProjectDb, writeProject } from './model-project.ts';

const tempDir = useTempDir();

const dag = {
  'staging/stg_a.sql': '-- Source a.\n-- tags: [raw]\nselect 1 as id',
  'staging/stg_b.sql': '-- tags: [raw]\nselect 2 as id',
  'intermediate/int_ab.sql': "-- tags: [core]\nselect * from {{ ref('stg_a') }} union all select * from {{ ref('stg_b') }}",
  'marts/fct_ab.sql': "-- tags: [marts, core]\n-- materialized: table\n-- tests: unique(id)\nselect * from {{ ref('int_ab') }}",
  'marts/rpt_b.sql': "-- tags: [marts]\nselect * from {{ ref('stg_b') }}",
};

describe('running the DAG', () => {
  it('selects models by name, ancestors, descendants, tag, unions and intersections', () => {
    const project = loadProject(writeProject(tempDir(), dag).dir);
    const select = (...selectors: string[]) => [...selectModels(project, selectors)].sort();
    expect(select('int_ab')).toEqual(['int_ab']);
    expect(select('+int_ab')).toEqual(['int_ab', 'stg_a', 'stg_b']);
    expect(select('stg_b+')).toEqual(['fct_ab', 'int_ab', 'rpt_b', 'stg_b']);
    expect(select('tag:marts')).toEqual(['fct_ab', 'rpt_b']);
    expect(select('tag:marts', 'stg_a')).toEqual(['fct_ab', 'rpt_b', 'stg_a']);
    expect(select('tag:marts,tag:core')).toEqual(['fct_ab']);
    expect(select('+fct_ab,tag:raw')).toEqual(['stg_a', 'stg_b']);
    expect(select()).toEqual(['fct_ab', 'int_ab', 'rpt_b', 'stg_a', 'stg_b']);
    expect(() => select('nope+')).toThrow(/--select nope\+: nope names no model/);
  });

  it('builds only the selection, reading unselected parents as they are published', async () => {
    const { dir, config } = writeProject(tempDir(), dag);
    const db = await openProjectDb(config);
    await buildModels(config, db, { modelsDir: dir });
    const partial = await buildModels(config, db, { modelsDir: dir, select: ['int_ab+'] });
    expect(partial.results.map((result) => result.node)).toEqual(['int_ab', 'fct_ab']);
    expect(await db.rows(`select distinct nodes from meta.runs where run_id = '${partial.runId}'`)).toEqual([{ nodes: ['int_ab', 'fct_ab'] }]);
  });

  it('runs independent models at once on separate connections, and one at a time with threads 1', async () => {
    const { dir, config } = writeProject(tempDir(), dag);
    const db = await openProjectDb(config);
    const counted: string[] = [];
    const events = async (threads: number) => {
      const seen: string[] = [];
      await buildModels(config, db, {
        modelsDir: dir,
        threads,
        onStart: (node) => seen.push(`start ${node}`),
        onNode: (result, done, total) => {
          seen.push(`done ${result.node}`);
          counted.push(`${done}/${total}`);
        },
      });
      return seen;
    };
    const parallel = await events(2);
    // Both staging models start before either finishes: two nodes in flight.
    expect(parallel.slice(0, 2).sort()).toEqual(['start stg_a', 'start stg_b']);
    // The progress count goes 1/5 … 5/5, even when two nodes finish at once.
    expect(counted).toEqual(['1/5', '2/5', '3/5', '4/5', '5/5']);
    const serial = await events(1);
    for (let index = 0; index < serial.length; index += 2) expect(serial[index + 1]).toBe(serial[index].replace('start', 'done'));
  });

  it('starts the longest chain of expected durations first, from the last run of the same kind', async () => {
    // a: 50 ms alone; b -> c: 10 ms then 100 ms. With one worker the chain goes first.
    const nodes: DagNode[] = [
      { name: 'a', dependsOn: [] },
      { name: 'b', dependsOn: [] },
      { name: 'c', dependsOn: ['b'] },
    ];
    const path = criticalPath(nodes, new Map([['a', 50], ['b', 10], ['c', 100]]));
    expect(Object.fromEntries(path)).toEqual({ a: 50, b: 110, c: 100 });
    const order: string[] = [];
    await runDag(nodes, { workers: [1], failFast: false, priority: (node) => path.get(node.name)!, skip: async () => undefined, execute: async (node) => {
      order.push(node.name);
      return 'success';
    } });
    expect(order).toEqual(['b', 'c', 'a']);
    const unordered: string[] = [];
    await runDag(nodes, { workers: [1], failFast: false, skip: async () => undefined, execute: async (node) => {
      unordered.push(node.name);
      return 'success';
    } });
    expect(unordered).toEqual(['a', 'b', 'c']);

    const { dir, config } = writeProject(tempDir(), dag);
    const db = await openProjectDb(config);
    const built = await buildModels(config, db, { modelsDir: dir });
    const history = await RunHistory.open(db);
    const incremental = await history.lastDurations(false);
    await history.close();
    expect([...incremental.keys()].sort()).toEqual(built.results.filter((result) => result.status === 'success').map((result) => result.node).sort());
  });

  it('skips what depends on a failed model, keeps building the rest, and stops early with failFast', async () => {
    const { dir, config } = writeProject(tempDir(), { ...dag, 'staging/stg_a.sql': 'select nope' });
    const db = await openProjectDb(config);
    const run = await buildModels(config, db, { modelsDir: dir, threads: 1 });
    const statusOf = (summary: typeof run) => Object.fromEntries(summary.results.map((result) => [result.node, result.status]));
    expect(statusOf(run)).toEqual({ stg_a: 'error', stg_b: 'success', int_ab: 'skipped', fct_ab: 'skipped', rpt_b: 'success' });
    expect(run.results.find((result) => result.node === 'fct_ab')?.error).toBe('upstream int_ab was skipped');
    db.closeSync();
    // A project without history, so the models start in the given order (stg_a first).
    const other = writeProject(tempDir(), { ...dag, 'staging/stg_a.sql': 'select nope' });
    const otherDb = await openProjectDb(other.config);
    const fast = await buildModels(other.config, otherDb, { modelsDir: other.dir, threads: 1, failFast: true });
    expect(statusOf(fast)).toEqual({ stg_a: 'error', stg_b: 'skipped', int_ab: 'skipped', fct_ab: 'skipped', rpt_b: 'skipped' });
    expect(fast.results.find((result) => result.node === 'stg_b')?.error).toBe('not started: --fail-fast after stg_a failed');
  });

  it('checks source freshness against warn_after and error_after from the ingest ledger', async () => {
    const sources = `  - { name: erp, system: erp, connector: csv-drop, quiet_period: 0s, path: ., warn_after: 2h, error_after: 6h }
  - { name: shop, system: ecommerce, connector: csv-drop, quiet_period: 0s, path: ., warn_after: 1h }
  - { name: oms, system: oms, connector: csv-drop, quiet_period: 0s, path: ., error_after: 1h }
`;
    const { dir, config } = writeProject(tempDir(), { 'marts/x.sql': 'select 1 as x' }, sources);
    const db = await openProjectDb(config);
    await db.run(`create schema ingest; create table ingest.batches (source varchar, entity varchar, captured_at timestamptz, status varchar);
      insert into ingest.batches values ('erp', 'stock', '2026-11-02 03:00:00+00', 'landed'), ('shop', 'stock', '2026-11-02 09:30:00+00', 'landed'), ('shop', 'stock', '2026-11-02 11:00:00+00', 'held')`);
    const run = await buildModels(config, db, { modelsDir: dir, now: new Date('2026-11-02T11:00:00Z') });
    const sourceResults = run.results.filter((result) => result.kind === 'source').map((result) => [result.node, result.status, result.error]);
    expect(sourceResults).toEqual([
      ['source:erp', 'error', 'last capture 2026-11-02T03:00:00.000Z, 480 min ago (error_after 6h)'],
      ['source:shop', 'warn', 'last capture 2026-11-02T09:30:00.000Z, 90 min ago (warn_after 1h)'],
      ['source:oms', 'error', 'oms has no landed batch yet'],
    ]);
    // A stale source is reported (and fails the run) but does not stop the models: the marts exclude stale systems themselves.
    expect(run.ok).toBe(false);
    expect(run.results.find((result) => result.node === 'x')?.status).toBe('success');
  });

  it('writes manifest.json with nodes, columns as built, sources read and edges', async () => {
    const { dir, config } = writeProject(tempDir(), {
      ...dag,
      'marts/rpt_config.sql': "-- Sources per system.\nselect system, count(*) as sources from config.sources group by all",
      'marts/rpt_mixed.sql': 'select id from marts.rpt_b',
    });
    const db = await openProjectDb(config);
    await buildModels(config, db, { modelsDir: dir });
    const manifest = readManifest(config)!;
    expect(JSON.parse(readFileSync(path.join(config.data_dir, 'manifest.json'), 'utf8'))).toEqual(manifest);
    expect(manifest.nodes.find((node) => node.name === 'fct_ab')).toEqual({
      name: 'fct_ab',
      kind: 'model',
      layer: 'marts',
      relation: 'marts.fct_ab',
      materialized: 'table',
      file: 'marts/fct_ab.sql',
      tags: ['marts', 'core'],
      tests: ['unique(id)'],
      columns: [{ name: 'id', type: 'INTEGER' }],
    });
    expect(manifest.nodes.find((node) => node.name === 'config.sources')?.kind).toBe('source');
    expect(manifest.nodes.find((node) => node.name === 'rpt_config')?.description).toBe('Sources per system.');
    expect(manifest.edges).toEqual(
      expect.arrayContaining([
        { from: 'stg_a', to: 'int_ab' },
        { from: 'int_ab', to: 'fct_ab' },
        { from: 'config.sources', to: 'rpt_config' },
        // Read without ref(), found in DuckDB's parse tree.
        { from: 'rpt_b', to: 'rpt_mixed' },
      ]),
    );
  });

  it('tests what is published without building it', async () => {
    const { dir, config } = writeProject(tempDir(), dag);
    const db = await openProjectDb(config);
    await buildModels(config, db, { modelsDir: dir });
    await db.run('insert into marts.fct_ab values (1)');
    const tested = await testModels(config, db, { modelsDir: dir, select: ['fct_ab'] });
    expect(tested.ok).toBe(false);
    expect(tested.results.map((result) => [result.node, result.kind, result.status, result.error])).toEqual([['fct_ab', 'model', 'error', 'unique(id) found 1 failing row']]);
    expect(await db.rows(`select command from meta.runs where run_id = '${tested.runId}'`)).toEqual([{ command: 'test' }]);
  });
});
