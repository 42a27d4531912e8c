import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractConfigYaml } from './contract-marts.ts';
import { startContractServer, type ContractServer } from './contract-server.ts';

let api: ContractServer;
let secretFile: string;
const secret = 'TOPSECRET-7f3a';

beforeAll(async () => {
  api = await startContractServer({ yaml: contractConfigYaml.replace('auth_failure_limit: 1000', 'auth_failure_limit: 1000\n  sql_row_cap: 5\n  sql_timeout: 3s') });
  secretFile = path.join(api.config.data_dir, 'secret.csv');
  writeFileSync(secretFile, `name,value\nkey,${secret}\n`);
  writeFileSync(path.join(api.config.data_dir, 'secret.json'), JSON.stringify({ value: secret }));
});
afterAll(async () => api?.close());

async function answer(query: string, format = 'json') {
  const response = await api.sql(query, format);
  const text = await response.text();
  return { status: response.status, text, body: response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : undefined };
}

describe('POST /api/sql', () => {
  it('answers a query over the marts as columns and rows with their DuckDB types', async () => {
    const { status, body } = await answer('select location_id, count(*) as n from marts.fct_mismatch group by 1 order by 1');
    expect(status).toBe(200);
    expect(body).toMatchObject({ columns: ['location_id', 'n'], types: ['VARCHAR', 'BIGINT'], rows: [['WH-EAST', 2], ['WH-WEST', 1]], truncated: false });
  });

  it('reads the data-health tables of ingest and meta, information_schema, CTEs, recursion and range()', async () => {
    for (const query of [
      'select count(*) from ingest.batches',
      'select count(*) from ingest.quarantine',
      'select count(*) from meta.run_results',
      "select table_name from information_schema.tables where table_schema = 'marts'",
      'with recent as (select * from marts.fct_mismatch where bucket_at > timestamp \'2026-03-01\') select count(*) from recent',
      'with recursive r as (select 1 as n union all select n + 1 from r where n < 3) select sum(n) from r',
      'select sum(range) from range(10)',
      'describe marts.fct_mismatch',
      'from marts.fct_order_line select order_id limit 1',
      'select * from config.locations',
      'select unnest([1, 2]) as x',
    ]) {
      const result = await answer(query);
      expect([query, result.status, result.body?.error]).toEqual([query, 200, undefined]);
    }
  });

  it('caps a preview at the row cap and says it was truncated', async () => {
    const { body } = await answer('select * from range(100)');
    expect(body).toMatchObject({ row_count: 5, truncated: true, row_cap: 5 });
    expect(body.rows).toEqual([[0], [1], [2], [3], [4]]);
  });

  it('streams a CSV or Arrow download of every row, past the preview cap', async () => {
    const csv = await api.sql('select range as n, \'=1+1\' as f from range(20000)', 'csv');
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await csv.text()).trim().split('\n');
    expect(lines).toHaveLength(20001);
    expect(lines[1]).toBe("0,'=1+1");
    const arrow = await api.sql('select range as n from range(50000)', 'arrow');
    const table = tableFromIPC(new Uint8Array(await arrow.arrayBuffer()));
    expect(table.numRows).toBe(50000);
    expect(table.batches.length).toBeGreaterThan(1);
    expect(table.get(49999)!.toJSON().n).toBe(49999n);
  });

  it('interrupts a query that outlives the timeout, and the server keeps answering', async () => {
    const { status, body } = await answer('select sum(hash(a.range * b.range)) from range(100000) a, range(100000) b');
    expect(status).toBe(400);
    expect(body.error).toBe('query stopped after 3 s (server.sql_timeout): narrow it down or download it in parts');
    expect((await answer('select 42 as answer')).body.rows).toEqual([[42]]);
  });

  it("returns DuckDB's own message for a query that fails", async () => {
    const { status, body } = await answer('select nope from marts.fct_mismatch');
    expect(status).toBe(400);
    expect(body.error).toMatch(/^Binder Error: Referenced column "nope" not found/);
    const syntax = await answer('selec 1');
    expect([syntax.status, syntax.body.error]).toEqual([400, expect.stringMatching(/^Parser Error: syntax error at or near "selec"/)]);
  });

  it('refuses a body without sql, or with unknown fields', async () => {
    const empty = await api.get('/api/sql', 'analyst', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect([empty.status, (await empty.json()).error]).toEqual([400, 'invalid sql: is required (send {"sql": "select …"})']);
    const bad = await api.get('/api/sql', 'analyst', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sql": 1' });
    expect(bad.status).toBe(400);
  });
});

describe('escape attempts, each refused', () => {
  const file = () => secretFile;
  const dir = () => path.dirname(secretFile);
  const attempts: [string, () => string][] = [
    ['read_csv', () => `select * from read_csv('${file()}')`],
    ['read_csv_auto', () => `select * from read_csv_auto('${file()}')`],
    ['replacement scan of a quoted path', () => `select * from '${file()}'`],
    ['FROM-first replacement scan', () => `from '${file()}'`],
    ['double-quoted identifier that is a path', () => `select * from "${file()}"`],
    ['replacement scan of a JSON file', () => `select * from '${dir()}/secret.json'`],
    ['read_text', () => `select * from read_text('${file()}')`],
    ['read_blob', () => `select * from read_blob('${file()}')`],
    ['glob', () => `select * from glob('${dir()}/*')`],
    ['read_json_auto', () => `select * from read_json_auto('${dir()}/secret.json')`],
    ['read_parquet', () => `select * from read_parquet('${file()}')`],
    ['parquet_metadata', () => `select * from parquet_metadata('${file()}')`],
    ['sniff_csv', () => `select * from sniff_csv('${file()}')`],
    ['getenv', () => `select getenv('HOME')`],
    ['current_setting', () => `select current_setting('home_directory')`],
    ['semicolon and a second statement', () => `select 1; select * from read_csv('${file()}')`],
    ['comment hiding a COPY', () => `select 1 -- harmless\n; copy (select 1) to '${dir()}/out.csv'`],
    ['block comment before COPY', () => `/* report */ copy marts.fct_mismatch to '${dir()}/out.csv'`],
    ['CTE reading a file', () => `with x as (select * from read_csv('${file()}')) select * from x`],
    ['CTE named like a file', () => `with "${file()}" as (select 1 as a) select * from "${file()}"`],
    ['CTE used outside its scope', () => `select * from (with secret as (select 1 as a) select * from secret) s, secret`],
    ['later CTE read by an earlier one', () => `with a as (select * from b), b as (select 1 as x) select * from a`],
    ['mixed case', () => `SeLeCt * FrOm ReAd_CsV('${file()}')`],
    ['whitespace games', () => `select\t*\nfrom\n   read_csv  (\n'${file()}'   )`],
    ['subquery in the select list', () => `select (select content from read_text('${file()}')) as c`],
    ['IN subquery', () => `select * from marts.fct_mismatch where sku in (from read_csv('${file()}'))`],
    ['lambda with a subquery', () => `select list_transform([1], x -> (select content from read_text('${file()}')))`],
    ['recursive CTE joined to a file', () => `with recursive r as (select 1 as n union all select n + 1 from r where n < 3) select * from r, read_text('${file()}')`],
    ['DESCRIBE of a file query', () => `describe select * from read_csv('${file()}')`],
    ['SUMMARIZE of a file', () => `summarize '${file()}'`],
    ['PIVOT over a file', () => `select * from (pivot (from read_csv('${file()}')) on name using first(value))`],
    ['unnest of a file read', () => `select * from unnest((select list(content) from read_text('${file()}')))`],
    ['pragma', () => 'pragma database_list'],
    ['call', () => 'call duckdb_settings()'],
    ['copy', () => `copy marts.fct_mismatch to '${dir()}/out.csv'`],
    ['attach', () => `attach '${dir()}/other.duckdb' as other`],
    ['export database', () => `export database '${dir()}/exported'`],
    ['install', () => 'install httpfs'],
    ['load', () => 'load httpfs'],
    ['set', () => 'set enable_external_access = true'],
    ['create', () => 'create table marts.evil as select 1'],
    ['insert', () => 'insert into marts.fct_mismatch select * from marts.fct_mismatch'],
    ['update', () => "update marts.fct_mismatch set sku = 'x'"],
    ['delete', () => 'delete from marts.fct_mismatch'],
    ['drop', () => 'drop table marts.fct_mismatch'],
    ['explain', () => 'explain select 1'],
    ['transaction', () => 'begin transaction'],
    ['query() running nested SQL', () => `select * from query('select * from read_csv(''${file()}'')')`],
    ['query_table', () => "select * from query_table('auth.tokens')"],
    ['json_execute_serialized_sql', () => `select * from json_execute_serialized_sql(json_serialize_sql('select * from auth.tokens'))`],
    ['token hashes', () => 'select * from auth.tokens'],
    ['session hashes', () => 'select session_sha256 from auth.sessions'],
    ['token hashes in a subquery', () => 'select * from (select token_sha256 from auth.tokens) t'],
    ['token hashes in a CTE', () => 'with t as (select * from AUTH.TOKENS) select * from t'],
    ['token hashes by catalog', () => `select * from stocklens.auth.tokens`],
    ['another catalog', () => 'select * from system.main.duckdb_tables'],
    ['duckdb_secrets', () => 'select * from duckdb_secrets()'],
    ['duckdb_settings', () => 'select * from duckdb_settings()'],
    ['sequence writes', () => "select nextval('seq')"],
    ['unknown function that would autoload an extension', () => "select st_point(1, 2)"],
    ['http replacement scan', () => "select * from 'https://example.com/data.csv'"],
    ['system view through the search path', () => 'select * from duckdb_settings'],
    ['checkpoint', () => 'checkpoint'],
  ];

  it.each(attempts)('%s', async (_name, query) => {
    const { status, text, body } = await answer(query());
    expect(status).toBe(400);
    expect(body.error).toMatch(/^query refused: /);
    expect(text).not.toContain(secret);
  });

  it('counts more than thirty attempts', () => {
    expect(attempts.length).toBeGreaterThan(30);
  });

  it('left no file behind and the marts untouched', async () => {
    const { body } = await answer('select count(*) from marts.fct_mismatch');
    expect(body.rows).toEqual([[3]]);
    expect((await answer("select count(*) from information_schema.tables where table_name = 'evil'")).body.rows).toEqual([[0]]);
  });
});
