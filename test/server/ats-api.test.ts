import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBuildTimeoutMs, startDemoServer, type DemoServer } from '../helpers/demo-server.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();
let demo: DemoServer;

// The first file to ask simulates, lands and builds the demo (slow on a loaded machine).
beforeAll(async () => {
  demo = await startDemoServer(tempDir());
}, demoBuildTimeoutMs);
afterAll(async () => demo?.close());

describe('GET /api/ats', () => {
  it('returns ATS and total per configured location, ATS never above total', async () => {
    const response = await demo.api('/api/ats');
    expect(response.status).toBe(200);
    const { rows } = (await response.json()) as { rows: { location_id: string; ats_units: number; total_units: number }[] };
    expect(rows.map((row) => row.location_id)).toEqual(demo.config.locations.map((l) => l.id).sort());
    for (const row of rows) {
      expect(row.total_units).toBeGreaterThan(0);
      expect(row.ats_units).toBeLessThanOrEqual(row.total_units);
    }
    const direct = await demo.db.one<{ ats: number }>('select sum(ats_units) as ats from marts.fct_ats_current');
    expect(rows.reduce((sum, row) => sum + row.ats_units, 0)).toBe(direct!.ats);
  });

  it('rolls daily stock up per location from agg_ats_daily, equal to the SKU rows it sums, and reads the SKU rows for a SKU', async () => {
    const body = (await (await demo.api('/api/ats-daily?limit=100000')).json()) as { columns: string[]; rows: unknown[][] };
    const detail = await demo.db.rows(`
      select strftime(day, '%Y-%m-%d') as day, location_id, count(*) as skus, sum(total_units)::bigint as total_units, sum(ats_units)::bigint as ats_units,
        sum(non_sellable_units)::bigint as non_sellable_units, sum(committed)::bigint as committed, sum(reserved_other)::bigint as reserved_other,
        sum(damaged)::bigint as damaged, sum(quality_control)::bigint as quality_control, sum(safety_stock)::bigint as safety_stock, sum(in_transit)::bigint as in_transit
      from marts.fct_ats_daily group by all order by day, location_id`);
    expect(body.rows.length).toBeGreaterThan(20);
    expect((await demo.db.one<{ n: number }>('select count(*) as n from marts.agg_ats_daily'))!.n).toBe(body.rows.length);
    expect(body.rows.map((row) => Object.fromEntries(body.columns.map((name, index) => [name, row[index]])))).toEqual(detail);
    const sku = (await demo.db.one<{ sku: string }>('select min(sku) as sku from marts.fct_ats_daily'))!.sku;
    const one = (await (await demo.api(`/api/ats-daily?sku=${encodeURIComponent(sku)}&limit=100000`)).json()) as { columns: string[]; rows: unknown[][]; total: number };
    const expected = await demo.db.one<{ n: number; units: number }>(`select count(*) as n, sum(total_units)::bigint as units from marts.fct_ats_daily where sku = '${sku}'`);
    expect(one.rows.reduce((sum: number, row) => sum + Number(row[one.columns.indexOf('skus')]), 0)).toBe(expected!.n);
    expect(one.rows.reduce((sum: number, row) => sum + Number(row[one.columns.indexOf('total_units')]), 0)).toBe(expected!.units);
  });

  it('answers unknown API paths with a JSON 404 and /healthz without auth', async () => {
    const missing = await demo.api('/api/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no such endpoint' });
    expect(await (await fetch(`${demo.server.url}/healthz`)).json()).toEqual({ status: 'ok' });
  });
});
