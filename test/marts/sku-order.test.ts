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
  it('stores int_stock_intervals closed first, then open, each in SKU order, so its zonemaps skip every other SKU and every closed interval', async () => {
    const counted = await skuOrder(demo.db, 'intermediate.int_stock_intervals', 'valid_to is null');
    expect(counted.rows).toBeGreaterThan(1000);
    expect(counted.outOfOrder).toBe(0);
    expect(counted.regionsOutOfOrder).toBe(0);
  });
});
