import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../../db/database.ts';
import { runCli } from '../helpers/stocklens-cli.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { writeProject } from './model-project.ts';

const tempDir = useTempDir();

describe('stocklens build, test and retry', () => {
  it('builds a selection with progress on stderr, fails with the file and line, and retries what failed', async () => {
    const { dir, config } = writeProject(tempDir(), {
      'staging/stg_a.sql': '-- materialized: table\nselect * from src.a',
      'marts/fct_a.sql': "-- materialized: table\n-- tests: not_null(id)\nselect id\nfrom {{ ref('stg_a') }}",
      'marts/other.sql': 'select 1 as x',
    });
    const db = await Database.open(config.databaseFile);
    await db.run('create schema src; create table src.a as select 1 as id');
    db.closeSync();
    const cli = (...args: string[]) => runCli(['--config', config.file, ...args]);

    const selected = cli('build', '--select', '+fct_a', '--threads', '1');
    expect(selected.status).toBe(0);
    expect(selected.stderr).toMatch(/1\/2 OK {3}stg_a \(1 row, .*\)\n2\/2 OK {3}fct_a \(1 row, .*\)/);
    expect(selected.stderr).toMatch(/built 2 of 2 models in .* \(0 warn, 0 failed, 0 skipped\); checkpoint \d/);
    expect(selected.stdout).toBe('');

    writeFileSync(path.join(dir, 'staging/stg_a.sql'), '-- materialized: table\nselect *\nfrom src.a\nwhere idd > 0');
    const failed = cli('build');
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('FAIL stg_a');
    expect(failed.stderr).toContain('SKIP fct_a');
    expect(failed.stderr).toMatch(/FAILED stg_a: .*stg_a\.sql:4: Binder Error: Referenced column "idd" not found/);
    expect(failed.stderr).toContain('`stocklens retry` rebuilds what failed');

    writeFileSync(path.join(dir, 'staging/stg_a.sql'), '-- materialized: table\nselect * from src.a');
    const retried = cli('retry');
    expect(retried.status).toBe(0);
    expect(retried.stderr).toMatch(/OK {3}stg_a[\s\S]*OK {3}fct_a/);
    expect(retried.stderr).not.toContain('other');
    expect(cli('retry').stderr).toContain('nothing to retry');

    const tested = cli('test', '--select', 'fct_a');
    expect(tested.status).toBe(0);
    expect(tested.stderr).toMatch(/tested 1 checks/);
  });
});
