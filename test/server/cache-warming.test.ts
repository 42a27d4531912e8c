import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { urlFor } from '../../dashboard/src/data/api-client.ts';
import {
  cancellationsQueries,
  catalogQuery,
  syncPriorityDefaults,
  syncPriorityQueries,
  warehousesQueries,
  weeklyHealthQueries,
} from '../../dashboard/src/data/page-queries.ts';
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

/** The pages the server warms, each with the requests it makes when opened without filters. */
const warmedPages = {
  weekly: weeklyHealthQueries({}),
  catalog: { catalog: catalogQuery },
  warehouses: warehousesQueries({}),
  sync: syncPriorityQueries({}, syncPriorityDefaults),
  cancellations: cancellationsQueries({}),
};
const warmedPageFiles: Record<string, string> = {
  weekly: 'weekly-health-page.ts',
  warehouses: 'warehouses-page.ts',
  sync: 'sync-priority-page.ts',
  cancellations: 'cancellations-page.ts',
};

const allWeeks = '/api/weekly-health?location=ALL&from=2026-03-01';
const atsOf = async (url: string) => objects(await api.json<TableBody>(url))[0]?.ats_units;

describe('the answer cache of a running server', () => {
  it('reads every request of the warmed pages when it starts, so opening them asks DuckDB nothing', async () => {
    await api.server.warmed();
    const misses = await lookups('miss');
    for (const [page, queries] of Object.entries(warmedPages)) {
      for (const query of Object.values(queries)) {
        if (!query) continue;
        // As the dashboard asks: a table as Arrow, in the page's own parameter order.
        const url = 'json' in query ? urlFor(query.path, query.params) : urlFor(query.path, query.params, 'arrow');
        expect((await api.get(url)).status, `${page}: ${url}`).toBe(200);
        expect(await lookups('miss'), `${page} asks for ${url}, which the server did not warm`).toBe(misses);
      }
    }
  });

  it.each(Object.keys(warmedPageFiles))('lets the %s page take every request from page-queries.ts', (page) => {
    const source = readFileSync(new URL(`../../dashboard/src/pages/${warmedPageFiles[page]}`, import.meta.url), 'utf8');
    const controllers = source.match(/new QueryController\b[^;]*;/g) ?? [];
    expect(controllers.length).toBeGreaterThan(0);
    for (const controller of controllers) expect(controller).toMatch(/\(this, \(\) => \w+Queries\(this\.filters\b[^;]*\)\.\w+\);$/);
    expect(source).not.toMatch(/\bfetch(Json|Table)?\(/);
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
