import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultViews } from '../../server/default-views.ts';
import { pipeline } from '../../core/pipeline-coordinator.ts';
import { apiCacheLookups } from '../../server/metrics.ts';
import { objects, startContractServer, type ContractServer, type TableBody } from './contract-server.ts';

let api: ContractServer;

beforeAll(async () => {
  api = await startContractServer();
});
afterAll(async () => api?.close());

async function lookups(outcome: string): Promise<number> {
  return (await apiCacheLookups.get()).values.filter((value) => value.labels.outcome === outcome).reduce((sum, value) => sum + value.value, 0);
}

const allWeeks = '/api/weekly-health?location=ALL&from=2026-03-01';
const atsOf = async (url: string) => objects(await api.json<TableBody>(url))[0]?.ats_units;

describe('the answer cache of a running server', () => {
  it('reads the default views when it starts, so a first visit asks DuckDB nothing', async () => {
    await api.server.warmed();
    const misses = await lookups('miss');
    for (const { path, query } of defaultViews) {
      // As the dashboard asks: Arrow, its own parameter order.
      const response = await api.get(`${path}?${new URLSearchParams({ ...query, format: 'arrow' })}`);
      expect(response.status, path).toBe(200);
    }
    expect(await lookups('miss')).toBe(misses);
  });

  it('answers with the new build after a publish, read before anyone asks again', async () => {
    expect(await atsOf(allWeeks)).toBe(12);
    const mismatches = (await api.json<TableBody>('/api/mismatch?sku=SKU-2')).total;

    await api.db.run(`update marts.rpt_weekly_health set ats_units = 99 where location_id = 'ALL' and week = '2026-03-02';
      insert into marts.fct_mismatch (bucket_at, location_id, sku, source, truth_source, truth_units, system_units, diff_units, direction, probable_cause) values ('2026-03-04 09:00:00+00', 'WH-WEST', 'SKU-2', 'erp', 'wms', 1, 2, 1, 'over', 'unknown')`);
    pipeline.published();
    await api.server.warmed();
    // Changed again without a publish: what the server sends now is what it read after the publish.
    await api.db.run(`update marts.rpt_weekly_health set ats_units = 100 where location_id = 'ALL' and week = '2026-03-02';
      insert into marts.fct_mismatch (bucket_at, location_id, sku, source, truth_source, truth_units, system_units, diff_units, direction, probable_cause) values ('2026-03-05 09:00:00+00', 'WH-WEST', 'SKU-2', 'erp', 'wms', 1, 2, 1, 'over', 'unknown')`);
    const misses = await lookups('miss');
    expect(await atsOf(allWeeks)).toBe(99);
    expect(await atsOf(`${allWeeks}&format=json`)).toBe(99);
    expect((await api.json<TableBody>('/api/mismatch?sku=SKU-2')).total).toBe(mismatches + 1);
    expect(await lookups('miss')).toBe(misses);

    pipeline.published();
    await api.server.warmed();
    expect(await atsOf(allWeeks)).toBe(100);
    expect((await api.json<TableBody>('/api/mismatch?sku=SKU-2')).total).toBe(mismatches + 2);
  });

  it('sends a cached answer as the same bytes with their ETag', async () => {
    const first = await api.get('/api/weekly-health?limit=100000');
    const second = await api.get('/api/weekly-health?limit=100000');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^W\/"[0-9a-f]+-[\w-]+"$/);
    expect(second.headers.get('etag')).toBe(etag);
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await first.text();
    expect(await second.text()).toBe(body);
    expect(JSON.parse(body).total).toBe(5);
  });
});
