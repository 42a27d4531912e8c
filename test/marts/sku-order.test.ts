import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testModels } from '../../models/runner/build.ts';
import { demoBuildTimeoutMs, startDemoServer, type DemoServer } from '../helpers/demo-server.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { skuOrder } from './sku-order.ts';

const tempDir = useTempDir();
let demo: DemoServer;

// The first file to ask simulates, lands and builds the demo (slow on a loaded machine).
beforeAll(async () => {
  demo = await startDemoServer(tempDir());
}, demoBuildTimeoutMs);
afterAll(async () => demo?.close());

describe('the tables a SKU drill-down reads', () => {
  it('stores int_stock_intervals in SKU order, those the next hourly build continues after the rest, so zonemaps skip every other SKU and every interval an hourly build does not read', async () => {
    const continued = 'valid_to is null or valid_to >= (select max(captured_at) from intermediate.int_stock_captures)';
    const counted = await skuOrder(demo.db, 'intermediate.int_stock_intervals', continued);
    expect(counted.rows).toBeGreaterThan(1000);
    expect(counted.outOfOrder).toBe(0);
    expect(counted.regionsOutOfOrder).toBe(0);
  });
});

describe('the intervals check', () => {
  it('fails when a series has two open intervals, as a slice that left its old open interval behind would', async () => {
    const clean = await testModels(demo.config, demo.db);
    const overlap = (summary: typeof clean) => summary.results.find((result) => result.node === 'test:assert_intervals_do_not_overlap')?.status;
    expect(overlap(clean)).toBe('success');
    await demo.db.run(`insert into intermediate.int_stock_intervals
      select * replace (valid_from - interval 1 second as valid_from) from intermediate.int_stock_intervals
      where valid_to is null and valid_from = (select max(valid_from) from intermediate.int_stock_intervals) limit 1`);
    expect(overlap(await testModels(demo.config, demo.db))).toBe('error');
  });
});
