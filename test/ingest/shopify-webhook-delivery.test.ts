import { describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { signShopifyBody } from '../../ingest/shopify/verify-webhook.ts';
import { useWebhookServer, type DeliveryOptions } from './helpers/webhook-server.ts';
import { inventoryLevelTestNotification, inventoryLevelUpdate, orderCancelled } from './upstream/shopify-webhooks.ts';

const webhookServer = useWebhookServer('whsec-upstream');

/** A webhook-only setup: no shopify-api source, no snapshot landed before the first delivery. */
async function start(configYaml = '') {
  // 271878346596884015 and …016 are the same double: only ids kept as text tell them apart.
  const { db, deliver } = await webhookServer({
    skuMap: '{"inventory_items": {"271878346596884015": "IPOD-BLACK", "271878346596884016": "IPOD-PINK"}, "locations": {"24826418": "WH-EAST"}}',
    configYaml,
  });
  return {
    db,
    deliver: async (topic: string, body: string, options: DeliveryOptions = {}) => {
      const response = await deliver(topic, body, options);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
  };
}

const landed = (database: Database) =>
  database.rows("select sku, on_hand, available_reported, source_updated_at, raw->>'inventory_item_id' as item from raw.stock_snapshot order by captured_at");

describe('shopify webhooks as Shopify sends them', () => {
  it('keeps 64-bit ids exact and lands the sellable figure without an API snapshot', async () => {
    const { db, deliver } = await start();
    // Shopify's test notification has no quantity: acknowledged, nothing lands.
    expect(await deliver('inventory_levels/update', inventoryLevelTestNotification)).toEqual({
      status: 200,
      body: { status: 'no reading', detail: "item 271878346596884015 at location 24826418 has no available quantity (Shopify's test notification sends none)" },
    });
    expect((await deliver('inventory_levels/update', inventoryLevelUpdate({ itemId: '271878346596884016', available: 7, updatedAt: '2026-11-01T09:00:00-05:00' }))).body).toMatchObject({ status: 'succeeded', rows: 1, rejected: 0 });
    // The sellable figure alone: on_hand is not stated (NULL), so the models keep its previous value, 0 with none.
    expect(await landed(db)).toEqual([{ sku: 'IPOD-PINK', on_hand: null, available_reported: 7, source_updated_at: '2026-11-01T14:00:00.000Z', item: 'gid://shopify/InventoryItem/271878346596884016' }]);
    expect(await db.one('select count(*) as n from ingest.quarantine')).toEqual({ n: 0 });
  });

  it('lets the newest updated_at win, whatever order the deliveries arrive in', async () => {
    const { db, deliver } = await start();
    expect((await deliver('inventory_levels/update', inventoryLevelUpdate({ available: 5, updatedAt: '2026-11-01T11:00:00Z' }))).body).toMatchObject({ status: 'succeeded', rows: 1 });
    // Sent before the one above, delivered after it: old news.
    expect(await deliver('inventory_levels/update', inventoryLevelUpdate({ available: 9, updatedAt: '2026-11-01T05:30:00-05:00' }))).toEqual({
      status: 200,
      body: { status: 'stale', detail: 'item 271878346596884015 at location 24826418 updated at 2026-11-01T05:30:00-05:00 is not newer than the 2026-11-01T11:00:00Z already landed' },
    });
    expect((await deliver('inventory_levels/update', inventoryLevelUpdate({ available: 4, updatedAt: '2026-11-01T12:00:00Z' }))).body).toMatchObject({ status: 'succeeded', rows: 1 });
    expect((await landed(db)).map((row) => row.available_reported)).toEqual([5, 4]);
  });

  it('recognises a replayed body under a new webhook id and does not land it again', async () => {
    const { db, deliver } = await start();
    const body = inventoryLevelUpdate({ available: 5, updatedAt: '2026-11-01T11:00:00Z' });
    expect((await deliver('inventory_levels/update', body, { id: 'first' })).body).toMatchObject({ status: 'succeeded', rows: 1 });
    expect((await deliver('inventory_levels/update', body, { id: 'replayed-under-a-new-id' })).body).toMatchObject({ status: 'stale', detail: expect.stringContaining('is not newer') });
    expect((await deliver('orders/cancelled', orderCancelled, { id: 'order-1' })).body).toMatchObject({ status: 'succeeded', rows: 2 });
    expect((await deliver('orders/cancelled', orderCancelled, { id: 'order-1-replayed' })).body).toMatchObject({ status: 'duplicate', rows: 0 });
    expect(await landed(db)).toHaveLength(1);
    expect(await db.rows('select order_id, line_id, sku, cancel_reason from raw.order_line order by sku')).toEqual([
      { order_id: '820982911946154508', line_id: '866550311766439020', sku: 'IPOD2008BLACK', cancel_reason: 'customer' },
      { order_id: '820982911946154508', line_id: '141249953214522974', sku: 'IPOD2008PINK', cancel_reason: 'customer' },
    ]);
  });

  it('answers 400 to a body under the wrong topic or an unknown topic, and records no sign of life', async () => {
    const { db, deliver } = await start();
    expect(await deliver('orders/cancelled', inventoryLevelUpdate({ available: 5, updatedAt: '2026-11-01T11:00:00Z' }))).toEqual({
      status: 400,
      body: { error: 'an orders/cancelled body needs id, cancelled_at and line_items (missing id, cancelled_at, line_items)' },
    });
    expect(await deliver('inventory_levels/update', orderCancelled)).toEqual({
      status: 400,
      body: { error: 'an inventory_levels/update body needs inventory_item_id, location_id and updated_at (missing inventory_item_id, location_id)' },
    });
    expect(await deliver('products/update', '{"id":788032119674292922}')).toEqual({
      status: 400,
      body: { error: 'topic "products/update" is not handled here (subscribe this address to inventory_levels/update or orders/cancelled)' },
    });
    expect(await db.one('select (select count(*) from ingest.runs) as runs, (select count(*) from ingest.batches) as batches')).toEqual({ runs: 0, batches: 0 });
  });

  it('rate-limits an address whose deliveries keep failing', async () => {
    const { deliver } = await start('server: { auth_failure_limit: 3, auth_failure_window: 15m }\n');
    const body = inventoryLevelUpdate({ available: 5, updatedAt: '2026-11-01T11:00:00Z' });
    expect((await deliver('inventory_levels/update', body, { signature: signShopifyBody(body, 'guess') })).status).toBe(401);
    expect((await deliver('products/update', '{}')).status).toBe(400);
    expect((await deliver('inventory_levels/update', body, { signature: 'AAAA' })).status).toBe(401);
    const limited = await deliver('inventory_levels/update', body);
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatch(/^too many failed authentications from .+: try again in \d+ s$/);
  });
});
