import { describe, expect, it } from 'vitest';
import { signShopifyBody } from '../../ingest/shopify/verify-webhook.ts';
import { useWebhookServer, type DeliveryOptions } from './helpers/webhook-server.ts';

const secret = 'whsec-test-1';
const webhookServer = useWebhookServer(secret);
/** The id Shopify keeps when it delivers the same event again. */
const redeliveredId = 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043';

async function start() {
  const { db, deliver } = await webhookServer({
    skuMap: JSON.stringify({ inventory_items: { '40000000007': 'MUG' }, locations: { '60000000000': 'WH-EAST' } }),
    sourceKeys: 'location_map: { "655441": WH-EAST }',
  });
  return { db, deliver: (topic: string, payload: unknown, options: DeliveryOptions = {}) => deliver(topic, JSON.stringify(payload), { id: redeliveredId, ...options }) };
}

const cancelled = {
  id: 820982911946154500,
  created_at: '2026-11-01T09:00:00-05:00',
  cancelled_at: '2026-11-01T10:00:00-05:00',
  cancel_reason: 'inventory',
  currency: 'USD',
  line_items: [
    { id: 466157049, sku: 'TEE-S', quantity: 2, price: '19.99' },
    { id: 518995019, sku: 'MUG', quantity: 1, price: '9.50' },
  ],
};

describe('shopify webhooks', () => {
  it('lands a signed orders/cancelled delivery once, however often Shopify redelivers it', async () => {
    const { db, deliver } = await start();
    const first = await deliver('orders/cancelled', cancelled);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ status: 'succeeded', rows: 2 });
    const again = await deliver('orders/cancelled', cancelled);
    expect(await again.json()).toMatchObject({ status: 'duplicate', rows: 0 });
    expect(await db.rows('select order_id, line_id, channel, sku, quantity, unit_price, status, cancel_reason_raw, cancel_reason, cancelled_at from raw.order_line order by line_id')).toEqual([
      { order_id: '820982911946154500', line_id: '466157049', channel: 'web', sku: 'TEE-S', quantity: 2, unit_price: 19.99, status: 'cancelled', cancel_reason_raw: 'inventory', cancel_reason: 'stock_out', cancelled_at: '2026-11-01T15:00:00.000Z' },
      { order_id: '820982911946154500', line_id: '518995019', channel: 'web', sku: 'MUG', quantity: 1, unit_price: 9.5, status: 'cancelled', cancel_reason_raw: 'inventory', cancel_reason: 'stock_out', cancelled_at: '2026-11-01T15:00:00.000Z' },
    ]);
    expect(await db.rows("select trigger, status from ingest.runs order by started_at")).toEqual([
      { trigger: 'webhook', status: 'succeeded' },
      { trigger: 'webhook', status: 'succeeded' },
    ]);
  });

  it('answers 401 to a bad signature and lands nothing', async () => {
    const { db, deliver } = await start();
    const forged = await deliver('orders/cancelled', cancelled, { signature: signShopifyBody(JSON.stringify(cancelled), 'not-the-secret') });
    expect(forged.status).toBe(401);
    const missing = await deliver('orders/cancelled', cancelled, { signature: '' });
    expect(missing.status).toBe(401);
    expect(await db.one('select (select count(*) from raw.order_line) as rows, (select count(*) from ingest.batches) as batches, (select count(*) from ingest.runs) as runs')).toEqual({ rows: 0, batches: 0, runs: 0 });
  });

  it('lands inventory_levels/update as a delta that carries over the other quantities of the item', async () => {
    const { db, deliver } = await start();
    // A snapshot as the shopify-api connector lands it: the inventory item id is kept in raw.
    await db.run(`insert into ingest.batches (batch_id, source, entity, mode, captured_at, content_sha256, rows, status, started_at)
      values ('seed', 'shopify-api', 'stock', 'full', '2026-11-01T00:00:00Z', 'x', 1, 'landed', now())`);
    await db.run(`insert into raw.stock_snapshot (batch_id, source, captured_at, location_id, sku, on_hand, committed, damaged, quantity_semantics, raw)
      values ('seed', 'shopify-api', '2026-11-01T00:00:00Z', 'WH-EAST', 'TEE-S', 12, 2, 1, 'salable', '{"inventory_item_id": "gid://shopify/InventoryItem/808950810"}'),
             ('seed', 'shopify-api', '2026-11-01T00:00:00Z', 'WH-EAST', 'MUG', 30, 0, 0, 'salable', null)`);
    const known = await deliver('inventory_levels/update', { inventory_item_id: 808950810, location_id: 655441, available: 6, updated_at: '2026-11-01T11:00:00-05:00' }, { id: 'w-1' });
    expect(await known.json()).toMatchObject({ status: 'succeeded', rows: 1, rejected: 0 });
    const unknown = await deliver('inventory_levels/update', { inventory_item_id: 1, location_id: 655441, available: 3, updated_at: '2026-11-01T11:00:00-05:00' }, { id: 'w-2' });
    expect(await unknown.json()).toMatchObject({ status: 'succeeded', rows: 0, rejected: 1 });
    // Ids named by the sku_map file (as the simulator writes it) resolve without an API snapshot.
    const mapped = await deliver('inventory_levels/update', { inventory_item_id: 40000000007, location_id: 60000000000, available: 25, updated_at: '2026-11-01T12:00:00Z' }, { id: 'w-3' });
    expect(await mapped.json()).toMatchObject({ status: 'succeeded', rows: 1, rejected: 0 });
    expect(await db.rows("select location_id, sku, on_hand, committed, damaged, available_reported, source_updated_at, quantity_semantics from raw.stock_snapshot where source = 'shopify-hooks'")).toEqual([
      { location_id: 'WH-EAST', sku: 'TEE-S', on_hand: 12, committed: 2, damaged: 1, available_reported: 6, source_updated_at: '2026-11-01T16:00:00.000Z', quantity_semantics: 'salable' },
      { location_id: 'WH-EAST', sku: 'MUG', on_hand: 30, committed: 0, damaged: 0, available_reported: 25, source_updated_at: '2026-11-01T12:00:00.000Z', quantity_semantics: 'salable' },
    ]);
    expect(await db.rows("select mode, status from ingest.batches where source = 'shopify-hooks'")).toEqual(Array.from({ length: 3 }, () => ({ mode: 'delta', status: 'landed' })));
    expect(await db.one('select "column", reason from ingest.quarantine')).toEqual({ column: 'sku', reason: 'sku is empty' });
  });
});
