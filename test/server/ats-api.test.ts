import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skeletonLocations } from '../../fixtures/skeleton-demo.ts';
import { startDemoServer, type DemoServer } from '../helpers/demo-server.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();
let demo: DemoServer;

beforeAll(async () => {
  demo = await startDemoServer(tempDir());
});
afterAll(async () => demo?.close());

describe('GET /api/ats', () => {
  it('returns ATS and total per configured location, ATS never above total', async () => {
    const response = await demo.api('/api/ats');
    expect(response.status).toBe(200);
    const { rows } = (await response.json()) as { rows: { location_id: string; ats_units: number; total_units: number }[] };
    expect(rows.map((row) => row.location_id)).toEqual(skeletonLocations.map((l) => l.id).sort());
    for (const row of rows) {
      expect(row.total_units).toBeGreaterThan(0);
      expect(row.ats_units).toBeLessThanOrEqual(row.total_units);
    }
    const direct = await demo.db.one<{ ats: number }>('select sum(ats_units) as ats from marts.fct_ats_current');
    expect(rows.reduce((sum, row) => sum + row.ats_units, 0)).toBe(direct!.ats);
  });

  it('answers unknown API paths with a JSON 404 and /healthz without auth', async () => {
    const missing = await demo.api('/api/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no such endpoint' });
    expect(await (await fetch(`${demo.server.url}/healthz`)).json()).toEqual({ status: 'ok' });
  });
});
