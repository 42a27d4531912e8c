import { describe, expect, it } from 'vitest';
import { loadProject } from '../../models/runner/project.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { writeProject } from './model-project.ts';

const tempDir = useTempDir();

describe('a model file header', () => {
  it('reads the description, the settings and a tests list written over several lines', () => {
    const { dir } = writeProject(tempDir(), {
      'marts/fct_x.sql': `-- What x means.
-- materialized: incremental
-- unique_key: [bucket_at, location_id]
-- time_column: bucket_at
-- lookback: 90m
-- on_schema_change: append_new_columns
-- tags: [marts, mismatch]
-- tests: not_null(location_id), accepted_values(direction, ['over', 'under, or not'])
-- tests: expression(rate between 0 and 1, severity=warn)
-- The bound below: a comment of the body, not a setting.
-- before t: still the body.
select 1`,
    });
    const model = loadProject(dir).models.get('fct_x')!;
    expect({ ...model, body: undefined, file: undefined, settings: undefined }).toEqual({
      name: 'fct_x',
      layer: 'marts',
      materialized: 'incremental',
      description: 'What x means.',
      tags: ['marts', 'mismatch'],
      uniqueKey: ['bucket_at', 'location_id'],
      incrementalStrategy: 'merge',
      timeColumn: 'bucket_at',
      lookbackMs: 90 * 60_000,
      onSchemaChange: 'append_new_columns',
      bodyLine: 10,
      dependsOn: [],
      tests: [
        { name: 'not_null(location_id)', severity: 'error', kind: 'not_null', columns: ['location_id'] },
        { name: "accepted_values(direction, ['over', 'under, or not'])", severity: 'error', kind: 'accepted_values', column: 'direction', values: ['over', 'under, or not'] },
        { name: 'expression(rate between 0 and 1)', severity: 'warn', kind: 'expression', expression: 'rate between 0 and 1' },
      ],
      body: undefined,
      file: undefined,
      settings: undefined,
    });
    expect(model.body.startsWith('-- The bound below')).toBe(true);
  });

  it('defaults to a view in staging, a table elsewhere, and append without a unique_key', () => {
    const { dir } = writeProject(tempDir(), { 'staging/a.sql': 'select 1', 'marts/b.sql': '-- materialized: incremental\nselect 1' });
    const project = loadProject(dir);
    expect(project.models.get('a')?.materialized).toBe('view');
    expect(project.models.get('b')?.incrementalStrategy).toBe('append');
  });

  it('refuses merge without a unique_key, naming the line', () => {
    const { dir } = writeProject(tempDir(), { 'marts/b.sql': '-- materialized: incremental\n-- incremental_strategy: merge\nselect 1' });
    expect(() => loadProject(dir)).toThrow(/b\.sql:2: incremental_strategy: merge needs a unique_key/);
  });
});
