import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, sql } from '../../db/database.ts';
import { exportsDir, publishExports } from '../../server/exports/publish-exports.ts';
import { startContractServer, type ContractServer, type TableBody } from './contract-server.ts';

let api: ContractServer;

beforeAll(async () => {
  api = await startContractServer();
});
afterAll(async () => api?.close());

describe('Parquet exports', () => {
  it('answers 503 for a mart whose Parquet file is not published yet', async () => {
    const response = await api.get('/api/exports/fct_mismatch.parquet', 'analyst');
    expect(response.status).toBe(503);
    expect((await response.json()).error).toBe('the fct_mismatch.parquet export is not published yet: it is written after the next successful stocklens build');
  });

  it('publishes every mart by rename and leaves no temporary file', async () => {
    const dir = exportsDir(api.config);
    // A leftover of an export that died mid-write is cleaned up by the next one.
    await publishExports(api.config, api.db);
    await api.db.run('create view marts.v_dense_grid as select * from range(10)');
    writeFileSync(path.join(dir, '.fct_mismatch.1.2.parquet.tmp'), 'half');
    const published = await publishExports(api.config, api.db);
    expect(published.map((entry) => entry.mart)).toEqual([
      'agg_ats_current', 'agg_ats_daily', 'agg_cancellations_daily', 'agg_cancellations_weekly', 'agg_location_summary', 'agg_mismatch_rate', 'agg_mismatch_rate_weekly',
      'fct_ats_current', 'fct_ats_daily', 'fct_mismatch', 'fct_order_line', 'fct_source_freshness', 'fct_stock_position', 'rpt_sync_priority', 'rpt_weekly_health',
    ]);
    expect(readdirSync(dir).sort()).toEqual(published.map((entry) => `${entry.mart}.parquet`).sort());
  });

  it('serves a published Parquet file that DuckDB reads back row for row', async () => {
    const response = await api.get('/api/exports/fct_mismatch.parquet', 'analyst');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename=fct_mismatch.parquet');
    const file = path.join(api.config.data_dir, 'downloaded.parquet');
    writeFileSync(file, new Uint8Array(await response.arrayBuffer()));
    const reader = await Database.open(':memory:');
    const rows = await reader.rows(sql`select probable_cause from read_parquet(${file}) order by bucket_at, source`);
    expect(rows.map((row) => row.probable_cause)).toEqual(['unknown', 'reservation_ignored', 'sync_lag']);
  });

  it('streams a mart as CSV with formula cells neutralised', async () => {
    const response = await api.get('/api/exports/fct_order_line.csv', 'analyst');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename=fct_order_line.csv');
    const text = await response.text();
    expect(text.split('\n')).toHaveLength(6);
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
  });

  it('lists the marts and refuses names that are not marts', async () => {
    const marts = async () => (await api.json<{ marts: { mart: string; published: boolean }[] }>('/api/exports', 'analyst')).marts;
    expect(await marts()).toContainEqual({ mart: 'fct_mismatch', parquet: '/api/exports/fct_mismatch.parquet', csv: '/api/exports/fct_mismatch.csv', published: true });
    // A view has no Parquet copy, and asking for one says why and what to use instead. The server's
    // list of relations is a few seconds old at most: the view made above shows once it is re-read.
    await expect.poll(marts, { timeout: 15_000 }).toContainEqual({ mart: 'v_dense_grid', parquet: null, csv: '/api/exports/v_dense_grid.csv', published: false });
    const view = await api.get('/api/exports/v_dense_grid.parquet', 'analyst');
    expect(view.status).toBe(404);
    expect((await view.json()).error).toMatch(/^v_dense_grid is a view computed on read .* download v_dense_grid\.csv/);
    expect((await api.get('/api/exports/..%2Fstocklens.duckdb', 'analyst')).status).toBe(404);
    expect((await api.get('/api/exports/tokens.csv', 'analyst')).status).toBe(503);
    expect(existsSync(path.join(exportsDir(api.config), 'tokens.parquet'))).toBe(false);
  });

  it('re-reads cached answers when a build publishes', async () => {
    const before = await api.json<TableBody>('/api/mismatch');
    await api.db.run("insert into marts.fct_mismatch (bucket_at, location_id, sku, source, truth_source, truth_units, system_units, diff_units, direction, probable_cause) values ('2026-03-04 09:00:00+00', 'WH-WEST', 'SKU-2', 'erp', 'wms', 1, 2, 1, 'over', 'unknown')");
    expect((await api.json<TableBody>('/api/mismatch')).total).toBe(before.total);
    await publishExports(api.config, api.db);
    // The previous answer may be sent once more while the new one is read.
    await expect.poll(async () => (await api.json<TableBody>('/api/mismatch')).total).toBe(before.total + 1);
  });
});
