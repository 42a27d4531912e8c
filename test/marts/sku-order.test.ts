import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../helpers/demo-server.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { skuOrder } from './sku-order.ts';

const tempDir = useTempDir();
let demo: DemoServer;

beforeAll(async () => {
  demo = await startDemoServer(tempDir());
});
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
