import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useTempDir } from '../helpers/temp-dir.ts';
import { walBytes } from '../helpers/wal-bytes.ts';
import { startHostileServer, type HostileServer } from './hostile-server.ts';

const tempDir = useTempDir('stocklens-hostile-sql-');
let hostile: HostileServer;
const analysts: string[] = [];
let viewer: string;

// Runs on two cores until DuckDB is interrupted: far longer than sql_timeout.
const heavy = 'select count(*) from range(200000) a, range(200000) b where a.range + b.range = 7';

beforeAll(async () => {
  hostile = await startHostileServer(tempDir(), { yaml: 'server: { sql_timeout: 4s, sql_download_max: 20MB }' });
  for (let index = 0; index < 4; index++) analysts.push((await hostile.server.tokens.create('analyst', `analyst ${index}`)).token);
  viewer = (await hostile.server.tokens.create('viewer', 'viewer')).token;
});
afterAll(() => hostile?.close());

function sql(token: string, query: string, options: { format?: string; signal?: AbortSignal } = {}) {
  return fetch(`${hostile.server.url}/api/sql${options.format ? `?format=${options.format}` : ''}`, {
    method: 'POST',
    signal: options.signal,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sql: query }),
  });
}

describe('analyst SQL cannot starve the others', () => {
  test('sleep functions are refused by name', async () => {
    for (const name of ['sleep_ms', 'pg_sleep']) {
      const response = await sql(analysts[0], `select ${name}(1000) from range(3000)`);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: `query refused: function ${name}() is not allowed` });
    }
  });

  test('naming an extension type does not install or load the extension: autoinstall, autoload and community extensions are off for the process', async () => {
    const response = await sql(analysts[0], "select '127.0.0.1'::inet");
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: string };
    expect(error).toMatch(/^Catalog Error: Type with name "inet" is not in the catalog, but it exists in the inet extension/);
    expect(await hostile.db.one("select current_setting('autoinstall_known_extensions') as install, current_setting('autoload_known_extensions') as load, current_setting('allow_community_extensions') as community")).toEqual({
      install: false,
      load: false,
      community: false,
    });
  });

  test('a CPU-bound query is interrupted at sql_timeout and says so', async () => {
    const response = await sql(analysts[0], heavy);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'query stopped after 4 s (server.sql_timeout): narrow it down or download it in parts' });
  });

  test('a second query of the same analyst while one runs is refused with 429, naming the limit', async () => {
    const first = sql(analysts[1], heavy);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = await sql(analysts[1], 'select 1');
    expect(second.status).toBe(429);
    expect(await second.json()).toEqual({ error: 'you already have 1 analyst query running (server.sql_concurrency_per_user is 1): wait for it to finish, or cancel it' });
    expect((await first).status).toBe(400);
  });

  test('four analysts running heavy queries leave sign-in and other users\' queries answering before any of theirs; leaving cancels their queries', async () => {
    const controllers = analysts.map(() => new AbortController());
    const answered: string[] = [];
    const heavyRuns = analysts.map((token, index) =>
      sql(token, heavy, { signal: controllers[index].signal }).then(
        () => answered.push(`analyst ${index}`),
        () => answered.push(`analyst ${index} left`),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const signIn = await fetch(`${hostile.server.url}/login?token=${viewer}`, { redirect: 'manual' });
    answered.push('sign-in');
    expect(signIn.status).toBe(303);
    const page = await fetch(`${hostile.server.url}/api/ingest/batches?limit=3&offset=17`, { headers: { authorization: `Bearer ${viewer}` } });
    answered.push('viewer page');
    expect(page.status).toBe(200);
    expect(answered.slice(0, 2)).toEqual(['sign-in', 'viewer page']);
    // Everyone leaves: the running query is interrupted and the waiting ones never start, so the
    // first analyst can run again long before the 4 s the heavy query would have taken.
    for (const controller of controllers) controller.abort();
    await Promise.all(heavyRuns);
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 200; attempt++) {
      status = (await sql(analysts[0], 'select 1')).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
  });

  test('a download a client reads slowly does not hold off a checkpoint, and a result over sql_download_max is refused', async () => {
    // A build replaces the tables a download reads.
    await hostile.db.run('create or replace table main.published as select i, md5(i::varchar) as hash from range(200000) t(i)');
    const download = await sql(analysts[2], 'select i, hash from main.published order by i', { format: 'csv' });
    expect(download.status).toBe(200);
    // The body stays unread: the client is slow. The database still checkpoints what was
    // written since, and its write-ahead log is emptied.
    await hostile.db.run('create or replace table main.published as select i, md5(i::varchar) as hash from range(200000) t(i)');
    expect(walBytes(hostile.config.databaseFile)).toBeGreaterThan(0);
    // Tried a few times, as after a build: another write (a landing) may be committing just then.
    await expect(hostile.db.checkpoint()).resolves.toBeUndefined();
    expect(walBytes(hostile.config.databaseFile)).toBe(0);
    const text = await download.text();
    expect(text.split('\n')).toHaveLength(200002);
    expect(text.startsWith('i,hash\n0,cfcd208495d565ef66e7dff9f98764da\n')).toBe(true);
    const tooLarge = await sql(analysts[2], 'select i, repeat(md5(i::varchar), 4) from range(1000000) t(i)', { format: 'csv' });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toEqual({ error: 'the result is larger than server.sql_download_max (20000000 bytes): narrow the query (a filter, fewer columns) or download it in parts' });
  });
});
