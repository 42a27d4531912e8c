import { describe, expect, it } from 'vitest';
import { ModelError } from '../../core/errors.ts';
import { buildModels } from '../../models/runner/build.ts';
import { loadProject } from '../../models/runner/project.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { openProjectDb, writeProject } from './model-project.ts';

const tempDir = useTempDir();

async function buildError(files: Record<string, string>, node: string): Promise<string> {
  const { dir, config } = writeProject(tempDir(), files);
  const db = await openProjectDb(config);
  try {
    const summary = await buildModels(config, db, { modelsDir: dir });
    const result = summary.results.find((candidate) => candidate.node === node)!;
    expect(result.status).toBe('error');
    return result.error!;
  } finally {
    db.closeSync();
  }
}

describe('a bad model', () => {
  it('fails on a syntax error with its file, the line in the file and DuckDB\'s message', async () => {
    const error = await buildError({ 'marts/bad.sql': '-- One line.\n-- materialized: table\nselect 1 as a,\n  2 as b\nfrm nowhere' }, 'bad');
    expect(error).toMatch(/marts\/bad\.sql:5: Parser Error: syntax error at or near "frm"/);
    expect(error).toContain('LINE 5: frm nowhere');
  });

  it('fails on an unknown column with the line it is on, after a multi-line ref of an ephemeral model', async () => {
    const error = await buildError(
      {
        'staging/base.sql': '-- materialized: ephemeral\nselect 1 as id,\n  2 as units',
        'marts/bad.sql': "select id,\n  unit_count\nfrom {{ ref('base') }}",
      },
      'bad',
    );
    expect(error).toMatch(/marts\/bad\.sql:2: Binder Error: Referenced column "unit_count" not found/);
  });

  it('fails on a relation that does not exist with DuckDB\'s catalog message', async () => {
    const error = await buildError({ 'marts/bad.sql': '-- materialized: view\nselect *\nfrom marts.nowhere' }, 'bad');
    expect(error).toMatch(/marts\/bad\.sql:3: Catalog Error: Table with name nowhere does not exist/);
  });

  it('fails on an unknown ref with its file and line before anything runs', () => {
    const { dir } = writeProject(tempDir(), { 'marts/a.sql': "-- materialized: view\nselect 1\nfrom {{ ref('nope') }}" });
    expect(() => loadProject(dir)).toThrow(ModelError);
    expect(() => loadProject(dir)).toThrow(/marts\/a\.sql:3: ref\('nope'\) names no model/);
  });

  it('fails on a cycle with the ref that closes it and the whole path, also through relations written without ref', async () => {
    const { dir, config } = writeProject(tempDir(), {
      'staging/a.sql': "select * from {{ ref('c') }}",
      'intermediate/b.sql': "select * from {{ ref('a') }}",
      'marts/c.sql': '-- materialized: view\nselect *\nfrom intermediate.b',
    });
    const db = await openProjectDb(config);
    await expect(buildModels(config, db, { modelsDir: dir })).rejects.toThrow(/dependency cycle (a -> c -> b -> a|c -> b -> a -> c|b -> a -> c -> b)/);
    await expect(buildModels(config, db, { modelsDir: dir })).rejects.toThrow(/\.sql:\d+: dependency cycle/);
    db.closeSync();
  });

  it('fails to load on a header value it does not accept', () => {
    const header = writeProject(tempDir(), { 'marts/a.sql': '-- materialized: incremental\n-- incremental_strategy: upsert\nselect 1' });
    expect(() => loadProject(header.dir)).toThrow(/a\.sql:2: incremental_strategy: "upsert" is not one of append, delete\+insert, merge/);
    const test = writeProject(tempDir(), { 'marts/a.sql': '-- tests: not_nul(x)\nselect 1' });
    expect(() => loadProject(test.dir)).toThrow(/a\.sql:1: tests: test "not_nul\(x\)": not_nul is not one of not_null, unique/);
  });

  it('reports an unknown placeholder with its line when the model is built', async () => {
    const error = await buildError({ 'marts/a.sql': 'select 1 as x\nwhere {{ var("x") }}' }, 'a');
    expect(error).toMatch(/marts\/a\.sql:2: \{\{ var\("x"\) \}\} is not a placeholder the runner knows/);
  });
});
