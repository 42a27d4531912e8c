import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../core/errors.ts';
import { parseConfig } from '../../core/load-config.ts';
import { runIngest } from '../../ingest/run-ingest.ts';
import { buildModels } from '../../models/runner/build.ts';
import { loadProject } from '../../models/runner/project.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { openTestDb } from '../helpers/test-db.ts';
import { walBytes } from '../helpers/wal-bytes.ts';

const tempDir = useTempDir();

function project(models: Record<string, string>): string {
  const dir = tempDir();
  for (const [file, text] of Object.entries(models)) {
    mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

describe('model runner', () => {
  it('computes ATS and total per location and SKU from the truth source', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'wms'));
    writeFileSync(
      path.join(dir, 'wms', 'stock_20261101T000000Z_full.csv'),
      'location_id,sku,on_hand,committed,reserved_other,damaged,quality_control,safety_stock\nWH-EAST,A,10,2,1,1,1,1\nWH-EAST,B,3,2,0,0,0,5\n',
    );
    writeFileSync(path.join(dir, 'wms', 'stock_20261101T010000Z_delta.csv'), 'location_id,sku,on_hand,committed\nWH-EAST,A,20,0\n');
    const config = parseConfig(
      'sources:\n  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./wms }\nlocations:\n  - { id: WH-EAST, name: East }\n',
      path.join(dir, 'stocklens.config.yaml'),
    );
    const db = await openTestDb(config.databaseFile);
    await runIngest(config, db);
    const summary = await buildModels(config, db, { select: ['+fct_ats_current'] });
    expect(summary.ok).toBe(true);
    // Checkpointed once published: the write-ahead log is in the database file.
    expect(summary.checkpointMs).toBeGreaterThanOrEqual(0);
    expect(walBytes(config.databaseFile)).toBe(0);
    expect(await db.rows('select sku, total_units, ats_units, non_sellable_units from marts.fct_ats_current order by sku')).toEqual([
      // The delta states on_hand and committed only: reserved, damaged, QC and safety stock keep their 1 each.
      { sku: 'A', total_units: 20, ats_units: 16, non_sellable_units: 4 },
      // ATS never goes below zero: 3 on hand against 7 committed and safety stock.
      { sku: 'B', total_units: 3, ats_units: 0, non_sellable_units: 3 },
    ]);
    expect(await db.rows("select node, status from meta.run_results where node in ('fct_ats_current', 'stg_stock_snapshot') order by node")).toEqual([
      { node: 'fct_ats_current', status: 'success' },
      { node: 'stg_stock_snapshot', status: 'success' },
    ]);
  });

  it('orders models by their refs', () => {
    const dir = project({
      'marts/c.sql': "select * from {{ ref('b') }}",
      'staging/a.sql': 'select 1 as x',
      'intermediate/b.sql': "select * from {{ ref('a') }}",
    });
    expect(loadProject(dir).order).toEqual(['a', 'b', 'c']);
  });

  it('reports a cycle as its path and an unknown ref with its file and line', () => {
    const cyclic = project({ 'staging/a.sql': "select * from {{ ref('b') }}", 'staging/b.sql': "select * from {{ ref('a') }}" });
    expect(() => loadProject(cyclic)).toThrow(/dependency cycle a -> b -> a/);
    const unknown = project({ 'staging/a.sql': "-- materialized: view\nselect 1\nfrom {{ ref('nope') }}" });
    expect(() => loadProject(unknown)).toThrow(ModelError);
    expect(() => loadProject(unknown)).toThrow(/a\.sql:3: ref\('nope'\) names no model/);
  });

  it('keeps the published table when a rebuild fails and skips what depends on it', async () => {
    const dir = project({ 'staging/a.sql': '-- materialized: table\nselect 1 as x', 'marts/b.sql': "select x from {{ ref('a') }}" });
    const config = parseConfig('sources:\n  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: . }\n', path.join(dir, 'stocklens.config.yaml'));
    const db = await openTestDb(config.databaseFile);
    expect((await buildModels(config, db, { modelsDir: dir })).ok).toBe(true);
    writeFileSync(path.join(dir, 'staging/a.sql'), '-- materialized: table\nselect 1/0::integer as x, nope');
    const failed = await buildModels(config, db, { modelsDir: dir });
    expect(failed.results.map((r) => [r.node, r.status])).toEqual([['a', 'error'], ['b', 'skipped']]);
    expect(failed.results[0].error).toMatch(/a\.sql:2: Binder Error: .*nope/);
    expect(await db.rows('select x from staging.a')).toEqual([{ x: 1 }]);
  });
});
