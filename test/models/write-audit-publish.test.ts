import { describe, expect, it } from 'vitest';
import { buildModels } from '../../models/runner/build.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { openProjectDb, writeModel, writeProject } from './model-project.ts';

const tempDir = useTempDir();

describe('write-audit-publish', () => {
  it('keeps the published table when a blocking test fails on the rebuilt one, and skips what depends on it', async () => {
    const { dir, config } = writeProject(tempDir(), {
      'staging/stock.sql': '-- materialized: table\n-- tests: unique(sku), not_null(sku)\nselect * from src.stock',
      'marts/total.sql': "select sum(units) as units from {{ ref('stock') }}",
    });
    const db = await openProjectDb(config);
    await db.run(`create schema src; create table src.stock as select * from (values ('a', 1), ('b', 2)) v(sku, units)`);
    expect((await buildModels(config, db, { modelsDir: dir })).ok).toBe(true);

    await db.run(`insert into src.stock values ('a', 5), (null, 7)`);
    const failed = await buildModels(config, db, { modelsDir: dir });
    expect(failed.results.map((result) => [result.node, result.status])).toEqual([['stock', 'error'], ['total', 'skipped']]);
    expect(failed.results[0].error).toMatch(/stock\.sql: not published, blocking tests failed: unique\(sku\) found 1 failing row; not_null\(sku\) found 1 failing row/);
    expect(await db.rows('select sku, units from staging.stock order by sku')).toEqual([{ sku: 'a', units: 1 }, { sku: 'b', units: 2 }]);
    expect(await db.rows('select units from marts.total')).toEqual([{ units: 3 }]);
    expect(await db.rows(`select count(*) as n from information_schema.tables where table_name like '__stage_%'`)).toEqual([{ n: 0 }]);
    expect(await db.rows(`select test, status, failures from meta.test_results where run_id = '${failed.runId}' order by test`)).toEqual([
      { test: 'not_null(sku)', status: 'fail', failures: 1 },
      { test: 'unique(sku)', status: 'fail', failures: 1 },
    ]);
  });

  it('publishes with a failing warn test and records every outcome, passes too', async () => {
    const { dir, config } = writeProject(tempDir(), {
      'marts/rates.sql': `-- materialized: table
-- tests: not_null(rate), expression(rate between 0 and 1, severity=warn), accepted_values(kind, ['a', 'b'])
select * from (values (0.5, 'a'), (1.5, 'b')) v(rate, kind)`,
    });
    const db = await openProjectDb(config);
    const summary = await buildModels(config, db, { modelsDir: dir });
    expect(summary.ok).toBe(true);
    expect(await db.rows('select count(*) as n from marts.rates')).toEqual([{ n: 2 }]);
    expect(await db.rows(`select node, test, severity, status, failures from meta.test_results order by test`)).toEqual([
      { node: 'rates', test: "accepted_values(kind, ['a', 'b'])", severity: 'error', status: 'pass', failures: 0 },
      { node: 'rates', test: 'expression(rate between 0 and 1)', severity: 'warn', status: 'warn', failures: 1 },
      { node: 'rates', test: 'not_null(rate)', severity: 'error', status: 'pass', failures: 0 },
    ]);
  });

  it('tests the would-be result of an incremental run and leaves the table as it was when it fails', async () => {
    const { dir, config } = writeProject(tempDir(), {
      'marts/events.sql': `-- materialized: incremental
-- incremental_strategy: append
-- time_column: at_hour
-- tests: unique(id)
select * from src.events where {{ incremental_window('at_hour') }}`,
    });
    const db = await openProjectDb(config);
    await db.run(`create schema src; create table src.events as select range as id, range as at_hour from range(3)`);
    expect((await buildModels(config, db, { modelsDir: dir })).ok).toBe(true);
    // The new slice is unique by itself; only with the rows already published does id 1 repeat.
    await db.run(`insert into src.events values (1, 10), (4, 11)`);
    const failed = await buildModels(config, db, { modelsDir: dir });
    expect(failed.results[0].error).toMatch(/unique\(id\) found 1 failing row/);
    expect(await db.rows('select id from marts.events order by id')).toEqual([{ id: 0 }, { id: 1 }, { id: 2 }]);
  });

  it('runs singular tests: attached ones audit their model, others run after the models they read', async () => {
    const { dir, config } = writeProject(tempDir(), {
      'marts/stock.sql': '-- materialized: table\nselect * from (values (1, 5), (2, -1)) v(id, units)',
      'tests/no_negative_stock.sql': "-- Stock is never negative.\n-- model: stock\n-- severity: warn\nselect * from {{ ref('stock') }} where units < 0",
      'tests/no_huge_stock.sql': "select * from {{ ref('stock') }} where units > 1000",
    });
    const db = await openProjectDb(config);
    const summary = await buildModels(config, db, { modelsDir: dir });
    expect(summary.results.map((result) => [result.node, result.kind, result.status])).toEqual([
      ['stock', 'model', 'success'],
      ['test:no_huge_stock', 'test', 'success'],
    ]);
    expect(summary.tests.map((test) => [test.node, test.test, test.status, test.failures])).toEqual([
      ['stock', 'no_negative_stock', 'warn', 1],
      ['no_huge_stock', 'no_huge_stock', 'pass', 0],
    ]);
    writeModel(dir, 'tests/no_negative_stock.sql', "-- model: stock\nselect * from {{ ref('stock') }} where units < 0");
    const blocked = await buildModels(config, db, { modelsDir: dir });
    expect(blocked.results.map((result) => [result.node, result.status])).toEqual([['stock', 'error'], ['test:no_huge_stock', 'skipped']]);
  });
});
