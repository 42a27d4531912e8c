import { describe, expect, it } from 'vitest';
import { buildModels } from '../../models/runner/build.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { openProjectDb, writeModel, writeProject } from './model-project.ts';

const tempDir = useTempDir();

const header = (extra: string) => `-- materialized: incremental
-- unique_key: [day, sku]
-- time_column: day
${extra}`;

describe('incremental models', () => {
  it('refuses a slice with new columns under on_schema_change: fail, and adds them with append_new_columns', async () => {
    const { dir, config } = writeProject(tempDir(), {
      'marts/daily.sql': `${header('')}select day, sku, units from src.sales where {{ incremental_window('day') }}`,
    });
    const db = await openProjectDb(config);
    await db.run(`create schema src; create table src.sales as select date '2026-11-01' as day, 'a' as sku, 1 as units, 'web' as channel`);
    expect((await buildModels(config, db, { modelsDir: dir })).ok).toBe(true);

    writeModel(dir, 'marts/daily.sql', `${header('')}select day, sku, units, channel from src.sales where {{ incremental_window('day') }}`);
    const refused = await buildModels(config, db, { modelsDir: dir });
    expect(refused.results[0].error).toMatch(/daily\.sql: on_schema_change: fail: .*new columns channel.*--full-refresh/);
    expect(await db.rows('describe marts.daily').then((rows) => rows.map((row) => row.column_name))).toEqual(['day', 'sku', 'units']);

    writeModel(dir, 'marts/daily.sql', `${header('-- on_schema_change: append_new_columns\n')}select day, sku, units, channel from src.sales where {{ incremental_window('day') }}`);
    await db.run(`insert into src.sales values (date '2026-11-02', 'a', 5, 'b2b')`);
    expect((await buildModels(config, db, { modelsDir: dir })).ok).toBe(true);
    expect(await db.rows('select day, sku, units, channel from marts.daily order by day')).toEqual([
      // The row before the change keeps NULL in the new column until a full refresh.
      { day: '2026-11-01', sku: 'a', units: 1, channel: 'web' },
      { day: '2026-11-02', sku: 'a', units: 5, channel: 'b2b' },
    ]);
  });

  it('rebuilds from scratch with fullRefresh, dropping rows the source no longer has', async () => {
    const { dir, config } = writeProject(tempDir(), {
      'marts/daily.sql': `${header('')}select day, sku, sum(units) as units from src.sales where {{ incremental_window('day') }} group by all`,
    });
    const db = await openProjectDb(config);
    await db.run(`create schema src; create table src.sales as select * from (values (date '2026-11-01', 'a', 1), (date '2026-11-02', 'a', 2)) v(day, sku, units)`);
    await buildModels(config, db, { modelsDir: dir });
    await db.run(`delete from src.sales where day = date '2026-11-01'`);
    await buildModels(config, db, { modelsDir: dir });
    expect(await db.rows('select count(*) as n from marts.daily')).toEqual([{ n: 2 }]);
    await buildModels(config, db, { modelsDir: dir, fullRefresh: true });
    expect(await db.rows('select day from marts.daily')).toEqual([{ day: '2026-11-02' }]);
    expect(await db.rows(`select time_from, time_to from meta.model_intervals where model = 'daily'`)).toEqual([{ time_from: '2026-11-02', time_to: '2026-11-02' }]);
  });

  it('notices a hole in the recorded intervals and rebuilds from where coverage stops', async () => {
    const { dir, config } = writeProject(tempDir(), {
      'marts/daily.sql': `${header('')}select day, sku, sum(units) as units from src.sales where {{ incremental_window('day') }} group by all`,
    });
    const db = await openProjectDb(config);
    await db.run(`create schema src; create table src.sales (day date, sku varchar, units integer)`);
    for (const day of ['01', '02', '03', '04']) {
      await db.run(`insert into src.sales values (date '2026-11-${day}', 'a', 1)`);
      await buildModels(config, db, { modelsDir: dir });
    }
    // A slice that never landed (say the table was restored from an older copy): its rows and its ledger entry are gone.
    await db.run(`delete from marts.daily where day in ('2026-11-02', '2026-11-03')`);
    await db.run(`delete from meta.model_intervals where model = 'daily' and time_from = '2026-11-02'`);
    await db.run(`insert into src.sales values (date '2026-11-05', 'a', 1)`);
    const run = await buildModels(config, db, { modelsDir: dir });
    expect(run.results[0].rows).toBe(4);
    expect(await db.rows('select day from marts.daily order by day')).toEqual(['01', '02', '03', '04', '05'].map((day) => ({ day: `2026-11-${day}` })));
  });

  it('reads its own published rows through {{ this }}', async () => {
    const { dir, config } = writeProject(tempDir(), {
      'marts/seen.sql': `-- materialized: incremental
-- incremental_strategy: append
select id from src.ids where id not in (select id from {{ this }})`,
    });
    const db = await openProjectDb(config);
    await db.run('create schema src; create table src.ids as select range as id from range(2)');
    // {{ this }} exists once the model is built, so its first version does not read it.
    writeModel(dir, 'marts/seen.sql', '-- materialized: incremental\n-- incremental_strategy: append\nselect id from src.ids');
    await buildModels(config, db, { modelsDir: dir });
    writeModel(dir, 'marts/seen.sql', `-- materialized: incremental\n-- incremental_strategy: append\nselect id from src.ids where id not in (select id from {{ this }})`);
    await db.run('insert into src.ids values (2)');
    const run = await buildModels(config, db, { modelsDir: dir });
    expect(run.results[0].rows).toBe(1);
    expect(await db.rows('select id from marts.seen order by id')).toEqual([{ id: 0 }, { id: 1 }, { id: 2 }]);
  });

  it('keeps the {% if is_incremental() %} branch only on an incremental run, so a first build need not read {{ this }}', async () => {
    const { dir, config } = writeProject(tempDir(), {
      'marts/totals.sql': `-- materialized: incremental
-- unique_key: [sku]
-- incremental_strategy: merge
-- Running totals: an incremental run adds the new sales to what is published.
select s.sku, sum(s.units) + coalesce(any_value(t.units), 0) as units, max(s.seq) as seq
from src.sales s
{% if is_incremental() %}
left join {{ this }} t using (sku)
where s.seq > (select max(seq) from {{ this }})
{% else %}
left join (select null as sku, null as units) t using (sku)
{% endif %}
group by s.sku`,
    });
    const db = await openProjectDb(config);
    await db.run(`create schema src; create table src.sales as select * from (values ('a', 1, 1), ('b', 2, 2)) v(sku, units, seq)`);
    expect((await buildModels(config, db, { modelsDir: dir })).ok).toBe(true);
    await db.run(`insert into src.sales values ('a', 10, 3)`);
    const run = await buildModels(config, db, { modelsDir: dir });
    expect(run.results[0].rows).toBe(1);
    expect(await db.rows('select sku, units from marts.totals order by sku')).toEqual([{ sku: 'a', units: 11 }, { sku: 'b', units: 2 }]);
  });

  it('fails on an unclosed or unknown block tag naming the file and line', async () => {
    const { dir, config } = writeProject(tempDir(), {
      'marts/broken.sql': `-- materialized: table
select 1 as x
{% if is_incremental() %}
where true`,
    });
    const db = await openProjectDb(config);
    const run = await buildModels(config, db, { modelsDir: dir });
    expect(run.results[0].error).toMatch(/broken\.sql:3: \{% if %\} is never closed with \{% endif %\}/);
    writeModel(dir, 'marts/broken.sql', `-- materialized: table\nselect 1 as x\n{% for x in y %}\n{% endfor %}`);
    const again = await buildModels(config, db, { modelsDir: dir });
    expect(again.results[0].error).toMatch(/broken\.sql:3: \{% for x in y %\} is not a tag the runner knows/);
  });

  it('keeps DuckDB errors on the model file line inside a kept block', async () => {
    const { dir, config } = writeProject(tempDir(), {
      'marts/lines.sql': `-- materialized: table
select 1 as x
{% if is_incremental() %}
from nowhere
{% else %}
from no_such_table
{% endif %}`,
    });
    const db = await openProjectDb(config);
    const run = await buildModels(config, db, { modelsDir: dir });
    expect(run.results[0].error).toMatch(/lines\.sql:6: .*no_such_table/);
  });
});
