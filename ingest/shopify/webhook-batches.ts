import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SourceConfig } from '../../core/config-schema.ts';
import { IngestError, causeMessage } from '../../core/errors.ts';
import type { Config } from '../../core/load-config.ts';
import { sql, type Database } from '../../db/database.ts';
import type { PendingBatch } from '../connectors/connector.ts';
import { channelOf, vendorLocationNames } from '../connectors/vendor-locations.ts';
import { rowsBatch } from '../stage-rows.ts';

/** Shopify's order cancel_reason → the canonical reason. */
const cancelReasons: Record<string, string> = {
  inventory: 'stock_out',
  customer: 'customer',
  fraud: 'fraud',
  declined: 'payment',
  staff: 'staff_error',
  other: 'other',
};

export const webhookTopics = ['inventory_levels/update', 'orders/cancelled'] as const;

export interface Delivery {
  topic: string;
  webhookId: string;
  payload: Record<string, unknown>;
  receivedAt: Date;
}

/** One delivery as one delta batch; its identity is the webhook id, so a redelivery is a no-op. */
export async function webhookBatch(db: Database, source: SourceConfig, config: Config, delivery: Delivery): Promise<PendingBatch> {
  const descriptor = { source: source.name, mode: 'delta' as const, capturedAt: delivery.receivedAt, file: `webhook:${delivery.topic}:${delivery.webhookId}` };
  if (delivery.topic === 'orders/cancelled') return rowsBatch({ ...descriptor, entity: 'orders' }, cancelledOrderRows(source, config, delivery), delivery.webhookId);
  if (delivery.topic === 'inventory_levels/update') return rowsBatch({ ...descriptor, entity: 'stock' }, await inventoryLevelRows(db, source, config, delivery), delivery.webhookId);
  throw new IngestError(`source ${source.name}: webhook topic ${delivery.topic} is not handled (subscribe to ${webhookTopics.join(' or ')})`, { source: source.name });
}

function cancelledOrderRows(source: SourceConfig, config: Config, { payload }: Delivery) {
  const order = payload as { id?: unknown; created_at?: string; cancelled_at?: string; cancel_reason?: string; currency?: string; line_items?: Record<string, unknown>[] };
  const reason = order.cancel_reason ?? null;
  const columns = ['order_id', 'line_id', 'channel', 'placed_at', 'sku', 'quantity', 'unit_price', 'currency', 'status', 'cancelled_at', 'cancel_reason_raw', 'cancel_reason'];
  const lines = order.line_items ?? [];
  return {
    columns,
    rows: lines.map((line) => [
      String(order.id ?? ''),
      String(line.id ?? ''),
      channelOf(source, config) ?? null,
      order.created_at ?? null,
      (line.sku as string | null) ?? null,
      line.quantity as number,
      (line.price as string | null) ?? null,
      order.currency ?? null,
      'cancelled',
      order.cancelled_at ?? null,
      reason,
      reason === null ? null : (cancelReasons[reason] ?? 'other'),
    ]),
    raws: lines.map((line) => ({ order_id: order.id, cancel_reason: reason, line })),
  };
}

/**
 * `inventory_levels/update` carries only the new `available` of an inventory item at a location,
 * by Shopify's numeric ids. The SKU comes from the source's `sku_map` file, else from the
 * `inventory_item_id` the shopify-api connector keeps in `raw`; the other quantities are carried
 * over from the latest landed salable row of that location and SKU. Without a SKU the row is
 * quarantined, never guessed.
 */
async function inventoryLevelRows(db: Database, source: SourceConfig, config: Config, { payload }: Delivery) {
  const level = payload as { inventory_item_id?: number | string; location_id?: number | string; available?: number; updated_at?: string };
  const ids = readIdMap(source, config);
  const locations = vendorLocationNames(source, config);
  const shopifyLocation = String(level.location_id ?? '');
  const locationId = locations.get(shopifyLocation) ?? ids.locations[shopifyLocation] ?? locations.get(`gid://shopify/Location/${shopifyLocation}`) ?? shopifyLocation;
  const itemIds = [String(level.inventory_item_id ?? ''), `gid://shopify/InventoryItem/${level.inventory_item_id ?? ''}`];
  const mappedSku = ids.inventory_items[itemIds[0]];
  const previous = await db.one<Record<string, number | string | null>>(sql`
    select s.sku, s.on_hand, s.committed, s.reserved_other, s.damaged, s.quality_control, s.safety_stock, s.incoming
    from raw.stock_snapshot s join ingest.batches b using (batch_id)
    where b.status = 'landed' and s.location_id = ${locationId} and s.quantity_semantics = 'salable'
      and ${mappedSku === undefined ? sql`(s.raw->>'inventory_item_id') in (${itemIds[0]}, ${itemIds[1]})` : sql`s.sku = ${mappedSku}`}
    order by s.captured_at desc limit 1`);
  const columns = ['location_id', 'sku', 'source_updated_at', 'on_hand', 'committed', 'reserved_other', 'damaged', 'quality_control', 'safety_stock', 'incoming', 'available_reported', 'quantity_semantics', 'channel'];
  const carried = ['on_hand', 'committed', 'reserved_other', 'damaged', 'quality_control', 'safety_stock', 'incoming'].map((name) => previous?.[name] ?? null);
  return {
    columns,
    rows: [[locationId, mappedSku ?? previous?.sku ?? null, level.updated_at ?? null, ...carried, level.available ?? null, 'salable', channelOf(source, config) ?? null]],
    raws: [{ inventory_item_id: itemIds[1], ...level }],
  };
}

interface IdMap {
  inventory_items: Record<string, string>;
  locations: Record<string, string>;
}

/** The source's `sku_map` file (relative to the config file), read at each delivery so edits apply. */
function readIdMap(source: SourceConfig, config: Config): IdMap {
  if (!source.sku_map) return { inventory_items: {}, locations: {} };
  const file = path.resolve(path.dirname(config.file), source.sku_map);
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<IdMap>;
    return { inventory_items: parsed.inventory_items ?? {}, locations: parsed.locations ?? {} };
  } catch (error) {
    throw new IngestError(`source ${source.name}: cannot read sku_map ${file}: ${causeMessage(error)}`, { source: source.name }, { cause: error });
  }
}
