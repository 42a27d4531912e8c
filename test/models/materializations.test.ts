import { describe, expect, it } from 'vitest';
import { inline } from '../../db/database.ts';
import { buildModels } from '../../models/runner/build.ts';
import { planModel, type ModelPlan, type PlanInput } from '../../models/runner/materialize-plan.ts';
import { loadProject, refTarget, quotedRelation } from '../../models/runner/project.ts';
import { renderSql, type RenderContext } from '../../models/runner/render-sql.ts';
import { modelTests } from '../../models/runner/run-tests.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { expectGolden } from './golden.ts';
import { openProjectDb, writeProject } from './model-project.ts';

const tempDir = useTempDir();

const hourly = `-- Units per location, SKU and hour.
-- materialized: incremental
-- unique_key: [bucket_at, location_id, sku]
-- time_column: bucket_at
-- lookback: 2h
-- tests: not_null(sku), unique(bucket_at, location_id, sku), accepted_values(kind, ['in', 'out']), relationships(location_id, ref('locations'), location_id), expression(units >= 0, severity=warn)
select date_trunc('hour', s.moved_at) as bucket_at, s.location_id, s.sku, s.kind, sum(s.units) as units
from {{ ref('moves') }} s
where {{ incremental_window('date_trunc(''hour'', s.moved_at)') }}
group by all
`;

const models = {
  'staging/moves.sql': '-- materialized: table\nselect * from src.moves',
  'staging/locations.sql': "-- materialized: view\nselect 'A' as location_id union all select 'B'",
  'intermediate/moves_in.sql': "-- materialized: ephemeral\nselect * from {{ ref('moves') }} where kind = 'in'",
  'marts/in_units.sql': "-- materialized: table\nselect location_id, sum(units) as units from {{ ref('moves_in') }} group by all",
  'marts/hourly.sql': hourly,
};

function render(plan: ModelPlan): string {
  const section = (title: string, statements: { text: string }[]) => `-- ${title}\n${statements.map((statement) => `${statement.text};`).join('\n')}\n`;
  return [
    section('write', plan.write.map((statement) => ({ text: inline(statement) }))),
    section('audit relation', [{ text: inline(plan.audit) }]),
    section('publish (one transaction)', plan.publish.map((statement) => ({ text: inline(statement) }))),
    section('discard', plan.discard.map((statement) => ({ text: inline(statement) }))),
  ].join('\n');
}

describe('materializations', () => {
  const project = () => loadProject(writeProject(tempDir(), models).dir);

  function planFor(name: string, overrides: Partial<PlanInput> & { window?: RenderContext['window'] } = {}): string {
    const loaded = project();
    const model = loaded.models.get(name)!;
    const body = renderSql(model, { ref: (ref) => refTarget(loaded, ref), self: quotedRelation(model.layer, model.name), window: overrides.window }).text;
    const { window: _window, ...input } = overrides;
    return render(planModel({ schema: model.layer, name, materialized: model.materialized, body, mode: 'full', strategy: model.incrementalStrategy, uniqueKey: model.uniqueKey, ...input }));
  }

  const window = { operator: '>=' as const, literal: "CAST('2026-11-02 10:00:00+00' AS TIMESTAMP WITH TIME ZONE)" };

  it('writes a view under a staging name and replaces the published one', () => expectGolden('view.sql', planFor('locations', { existing: 'view' })));
  it('builds a table under a staging name and renames it over the published one', () => expectGolden('table.sql', planFor('moves', { existing: 'table' })));
  it('inlines an ephemeral model as a subquery of the models that ref it', () => expectGolden('ephemeral.sql', planFor('in_units')));
  it('builds an incremental model in full the first time, with the window open', () => expectGolden('incremental-full.sql', planFor('hourly')));
  const sliceFrom = { column: 'bucket_at', literal: "CAST('2026-11-02 10:00:00+00' AS TIMESTAMP WITH TIME ZONE)" };

  it('merges an incremental slice on the composite key, reading only the table\'s tail', () =>
    expectGolden('incremental-merge.sql', planFor('hourly', { mode: 'incremental', existing: 'table', window, sliceFrom })));
  it('deletes and inserts an incremental slice on the composite key, reading only the table\'s tail', () =>
    expectGolden('incremental-delete-insert.sql', planFor('hourly', { mode: 'incremental', existing: 'table', window, strategy: 'delete+insert', sliceFrom })));
  it('appends an incremental slice after the latest time built', () =>
    expectGolden('incremental-append.sql', planFor('hourly', { mode: 'incremental', existing: 'table', strategy: 'append', window: { operator: '>', literal: window.literal } })));
  it('adds the new columns of a slice before applying it', () =>
    expectGolden('incremental-new-columns.sql', planFor('hourly', { mode: 'incremental', existing: 'table', window, addColumns: [{ name: 'note', type: 'VARCHAR' }] })));

  it('compiles each generic test to a query counting failing rows', () => {
    const loaded = project();
    const model = loaded.models.get('hourly')!;
    const tests = modelTests(model, loaded, planModel({ schema: 'marts', name: 'hourly', materialized: 'table', body: 'select 1', mode: 'full', strategy: 'merge', uniqueKey: [] }).audit);
    expectGolden('tests.sql', tests.map((test) => `-- ${test.test} (${test.severity})\n${inline(test.query)};\n`).join('\n'));
  });

  it('compiles the tests of an incremental run against the slice, and unique at the slice\'s keys', () => {
    const loaded = project();
    const model = loaded.models.get('hourly')!;
    const plan = planModel({ schema: 'marts', name: 'hourly', materialized: 'incremental', body: 'select 1', mode: 'incremental', strategy: 'append', uniqueKey: [], existing: 'table' });
    const tests = modelTests({ ...model, incrementalStrategy: 'append' }, loaded, plan.audit, plan.slice);
    expectGolden('tests-incremental.sql', tests.map((test) => `-- ${test.test} (${test.severity})\n${inline(test.query)};\n`).join('\n'));
  });

  it('runs every materialization for real: first in full, then incrementally', async () => {
    const { dir, config } = writeProject(tempDir(), models);
    const db = await openProjectDb(config);
    await db.run(`create schema src; create table src.moves (moved_at timestamptz, location_id varchar, sku varchar, kind varchar, units integer);
      insert into src.moves values ('2026-11-02 08:10:00+00', 'A', 'x', 'in', 5), ('2026-11-02 09:20:00+00', 'A', 'x', 'in', 2), ('2026-11-02 09:40:00+00', 'B', 'y', 'out', 1)`);
    const first = await buildModels(config, db, { modelsDir: dir });
    expect(first.results.map((result) => [result.node, result.status, result.rows])).toEqual(
      expect.arrayContaining([['moves', 'success', 3], ['locations', 'success', undefined], ['moves_in', 'success', undefined], ['in_units', 'success', 1], ['hourly', 'success', 3]]),
    );
    const kinds = await db.rows(`select table_schema || '.' || table_name as relation, table_type from information_schema.tables where table_schema in ('staging', 'intermediate', 'marts') order by 1`);
    // The ephemeral model has no relation of its own, and no staging relation is left behind.
    expect(kinds).toEqual([
      { relation: 'marts.hourly', table_type: 'BASE TABLE' },
      { relation: 'marts.in_units', table_type: 'BASE TABLE' },
      { relation: 'staging.locations', table_type: 'VIEW' },
      { relation: 'staging.moves', table_type: 'BASE TABLE' },
    ]);
    expect(await db.rows('select location_id, units from marts.in_units order by 1')).toEqual([{ location_id: 'A', units: 7 }]);

    // A late row for 09:00 (inside the 2 h lookback) and a new hour: the run re-reads 07:00 onwards only.
    await db.run(`insert into src.moves values ('2026-11-02 09:50:00+00', 'A', 'x', 'in', 4), ('2026-11-02 11:05:00+00', 'B', 'y', 'in', 3)`);
    const second = await buildModels(config, db, { modelsDir: dir });
    expect(second.results.find((result) => result.node === 'hourly')?.rows).toBe(4);
    expect(await db.rows(`select strftime(bucket_at, '%H') as hour, location_id, sku, kind, units from marts.hourly order by 1, 2, 3, 4`)).toEqual([
      { hour: '08', location_id: 'A', sku: 'x', kind: 'in', units: 5 },
      { hour: '09', location_id: 'A', sku: 'x', kind: 'in', units: 6 },
      { hour: '09', location_id: 'B', sku: 'y', kind: 'out', units: 1 },
      { hour: '11', location_id: 'B', sku: 'y', kind: 'in', units: 3 },
    ]);
    expect(await db.rows(`select time_from, time_to from meta.model_intervals where model = 'hourly' order by built_at`)).toEqual([
      { time_from: '2026-11-02 08:00:00+00', time_to: '2026-11-02 09:00:00+00' },
      { time_from: '2026-11-02 07:00:00+00', time_to: '2026-11-02 11:00:00+00' },
    ]);
  });

  it('changes a view into a table and back without failing on the old kind', async () => {
    const { dir, config } = writeProject(tempDir(), { 'marts/x.sql': '-- materialized: view\nselect 1 as n' });
    const db = await openProjectDb(config);
    expect((await buildModels(config, db, { modelsDir: dir })).ok).toBe(true);
    writeProject(dir, { 'marts/x.sql': '-- materialized: table\nselect 2 as n' });
    expect((await buildModels(config, db, { modelsDir: dir })).ok).toBe(true);
    expect(await db.rows(`select table_type from information_schema.tables where table_name = 'x'`)).toEqual([{ table_type: 'BASE TABLE' }]);
    writeProject(dir, { 'marts/x.sql': '-- materialized: view\nselect 3 as n' });
    expect((await buildModels(config, db, { modelsDir: dir })).ok).toBe(true);
    expect(await db.rows('select n from marts.x')).toEqual([{ n: 3 }]);
  });
});

