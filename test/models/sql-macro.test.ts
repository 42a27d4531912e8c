import { describe, expect, it } from 'vitest';
import { buildModels } from '../../models/runner/build.ts';
import { compileBody, loadProject } from '../../models/runner/project.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { openProjectDb, writeProject } from './model-project.ts';

const tempDir = useTempDir();

const macros = {
  'macros/free_units.sql': `-- Units free to sell before the floor.
-- params: [state]
({{ state }}.on_hand
  -- a comment inside the body is dropped
  - {{ state }}.committed)
`,
  'macros/ats_units.sql': `-- Available to sell.
-- params: [state]
greatest(0, {{ free_units(state) }})
`,
  'macros/scaled.sql': `-- A quantity times a factor, rounded down.
-- params: [units, factor]
floor({{ units }} * {{ factor }})
`,
};

describe('SQL macros', () => {
  it('expands a call in place, on the line it is written on, with macros calling macros', () => {
    const { dir } = writeProject(tempDir(), {
      ...macros,
      'marts/ats.sql': "-- ATS per SKU.\nselect sku,\n  {{ ats_units('s') }} as ats, {{ scaled('s.on_hand', '0.5') }} as half\nfrom (select 'A' as sku, 5 as on_hand, 2 as committed) s",
    });
    const project = loadProject(dir);
    const body = compileBody(project.models.get('ats')!, project);
    expect(body.split('\n')[1]).toBe('  greatest(0, (s.on_hand - s.committed)) as ats, floor(s.on_hand * 0.5) as half');
    expect(body.split('\n')).toHaveLength(3);
    expect([...project.macros.keys()]).toEqual(['ats_units', 'free_units', 'scaled']);
    expect(project.macros.get('scaled')?.params).toEqual(['units', 'factor']);
  });

  it('builds a model and a singular test that call macros', async () => {
    const { dir, config } = writeProject(tempDir(), {
      ...macros,
      'marts/ats.sql': "select s.*, {{ ats_units('s') }} as ats from (select 1 as on_hand, 3 as committed union all select 4, 1) s",
      'tests/assert_ats_follows_the_rule.sql': "-- ATS follows the rule on every row.\nselect * from {{ ref('ats') }} a where a.ats <> {{ ats_units('a') }}",
    });
    const db = await openProjectDb(config);
    try {
      const summary = await buildModels(config, db, { modelsDir: dir });
      expect(summary.results.map((result) => [result.node, result.status])).toEqual([
        ['ats', 'success'],
        ['test:assert_ats_follows_the_rule', 'success'],
      ]);
      expect(await db.rows('select ats from marts.ats order by ats')).toEqual([{ ats: 0 }, { ats: 3 }]);
    } finally {
      db.closeSync();
    }
  });

  it('fails on a call with the wrong number of arguments or an unquoted one, naming file and line', () => {
    const count = writeProject(tempDir(), { ...macros, 'marts/a.sql': "select 1\nfrom t where {{ scaled('x') }} > 0" });
    expect(() => loadProject(count.dir)).toThrow(/marts\/a\.sql:2: \{\{ scaled\('x'\) \}\}: scaled takes 2 arguments \(units, factor\), got 1/);
    const unquoted = writeProject(tempDir(), { ...macros, 'marts/a.sql': 'select {{ ats_units(s) }}' });
    expect(() => loadProject(unquoted.dir)).toThrow(/marts\/a\.sql:1: \{\{ ats_units\(s\) \}\}: argument s must be quoted/);
  });

  it('refuses a macro that calls itself, one named after a placeholder, and one without a body', () => {
    const loop = writeProject(tempDir(), { 'macros/loop.sql': '-- Loops.\n-- params: [x]\n{{ loop(x) }}', 'marts/a.sql': "select {{ loop('1') }}" });
    expect(() => loadProject(loop.dir)).toThrow(/marts\/a\.sql:1: .*macros nest more than 10 deep \(does loop call itself\?\)/);
    const reserved = writeProject(tempDir(), { 'macros/ref.sql': '-- Shadows ref.\n-- params: [x]\n{{ x }}', 'marts/a.sql': 'select 1' });
    expect(() => loadProject(reserved.dir)).toThrow(/macros\/ref\.sql: ref is a placeholder of the runner/);
    const empty = writeProject(tempDir(), { 'macros/nothing.sql': '-- Nothing.\n-- params: [x]\n', 'marts/a.sql': 'select 1' });
    expect(() => loadProject(empty.dir)).toThrow(/macros\/nothing\.sql: the macro has no body/);
  });
});
