import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildModels } from '../../models/runner/build.ts';
import { retryModels } from '../../models/runner/retry.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { openTestDb } from '../helpers/test-db.ts';
import { writeProject } from './model-project.ts';

const tempDir = useTempDir();
const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'build-child.ts');

/** Starts a build in a child process and SIGKILLs it the moment `node` starts building. */
function buildAndKillAt(configFile: string, modelsDir: string, node: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, ['--import', 'tsx', child, configFile, modelsDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    process_.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.includes(`start ${node}\n`)) process_.kill('SIGKILL');
    });
    process_.on('error', reject);
    process_.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(stderr) : reject(new Error(`child was not killed: ${stderr}`))));
  });
}

describe('a build killed mid-write', () => {
  it('leaves every published table as it was and the run history up to the kill, and retry finishes it', async () => {
    const { dir, config } = writeProject(tempDir(), {
      'staging/prices.sql': '-- materialized: table\nselect * from src.prices',
      // Slow on demand: hashing src.work's n numbers keeps the build busy while the parent kills it.
      'marts/priced.sql': `-- materialized: table
-- tests: not_null(total)
select (select sum(price) from {{ ref('prices') }}) as total, (select sum(hash(range)) from range((select n from src.work))) as busy`,
      'marts/summary.sql': "-- materialized: view\nselect total from {{ ref('priced') }}",
    });
    let db = await openTestDb(config.databaseFile);
    await db.run('create schema src; create table src.prices as select 1 as price; create table src.work as select 1 as n');
    expect((await buildModels(config, db, { modelsDir: dir })).ok).toBe(true);
    await db.run('update src.prices set price = 2; update src.work set n = 300000000');
    db.closeSync();

    const stderr = await buildAndKillAt(config.file, dir, 'priced');
    expect(stderr).toContain('done prices success');
    expect(stderr).not.toContain('done priced');

    db = await openTestDb(config.databaseFile);
    // prices finished and was published before the kill; priced and the view on it are the old ones.
    expect(await db.rows('select price from staging.prices')).toEqual([{ price: 2 }]);
    expect(await db.rows('select total from marts.priced')).toEqual([{ total: 1 }]);
    expect(await db.rows('select total from marts.summary')).toEqual([{ total: 1 }]);
    const run = await db.one<{ run_id: string; finished_at: string | null }>(`select run_id, finished_at from meta.runs order by started_at desc limit 1`);
    expect(run?.finished_at).toBeNull();
    expect(await db.rows(`select node, status from meta.run_results where run_id = '${run!.run_id}'`)).toEqual([{ node: 'prices', status: 'success' }]);
    expect(await db.rows(`select test, status from meta.test_results where run_id = '${run!.run_id}'`)).toEqual([]);

    await db.run('update src.work set n = 1');
    // retry builds what the killed run never finished, and cleans up the staging table it left.
    const retried = await retryModels(config, db, { modelsDir: dir });
    expect(retried?.results.map((result) => [result.node, result.status])).toEqual([['priced', 'success'], ['summary', 'success']]);
    expect(await db.rows('select total from marts.summary')).toEqual([{ total: 2 }]);
    expect(await db.rows(`select count(*) as n from information_schema.tables where table_name like '__stage_%'`)).toEqual([{ n: 0 }]);
    expect(await retryModels(config, db, { modelsDir: dir })).toBeUndefined();
  });
});
