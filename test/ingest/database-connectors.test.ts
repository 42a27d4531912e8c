import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { runIngest } from '../../ingest/run-ingest.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { openSetup } from './helpers/ingest-setup.ts';

const tempDir = useTempDir();
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const locations = `locations:
  - { id: WH-EAST, name: East DC }
  - { id: WH-WEST, name: West DC }
`;

// How each vendor's real tables land is tested in test/ingest/upstream/; here, how a database that cannot be read fails.
describe('the erpnext connector against the real MariaDB', () => {
  it('fails the run, without retrying for ever, when the database refuses the login', async () => {
    const { config, db } = await openSetup(
      tempDir(),
      `sources:
  - { name: erp, system: erp, connector: erpnext, database: { host: 127.0.0.1, port: 3306, user: nobody_${randomBytes(3).toString('hex')}, password: x, database: test }, retry: { attempts: 3, base_delay: 10ms, max_delay: 20ms } }
${locations}`,
    );
    cleanups.push(() => db.closeSync());
    const [summary] = await runIngest(config, db);
    expect(summary).toMatchObject({ status: 'failed', transient: false });
    expect(summary.error).toMatch(/^source erp: ERPNext database 127.0.0.1\/test: .*Access denied/);
  });
});

describe('the odoo connector against the real PostgreSQL', () => {
  it('fails the run naming the system, host and database when the database does not exist', async () => {
    const database = `missing_${randomBytes(4).toString('hex')}`;
    const { config, db } = await openSetup(
      tempDir(),
      `sources:
  - { name: odoo, system: erp, connector: odoo, database: { host: 127.0.0.1, port: 5432, user: postgres, database: ${database} }, retry: { attempts: 2, base_delay: 10ms, max_delay: 20ms } }
${locations}`,
    );
    cleanups.push(() => db.closeSync());
    const [summary] = await runIngest(config, db);
    expect(summary).toMatchObject({ status: 'failed', batches: 0 });
    expect(summary.error).toBe(`source odoo: Odoo database 127.0.0.1/${database}: database "${database}" does not exist`);
  });
});
