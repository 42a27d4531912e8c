import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SourceConfig } from '../../core/config-schema.ts';
import { IngestError, causeMessage } from '../../core/errors.ts';
import type { Config } from '../../core/load-config.ts';
import { sql, type Database } from '../../db/database.ts';
import type { PendingBatch } from '../batch-contract.ts';
import { channelOf, vendorLocationNames } from '../connectors/vendor-locations.ts';
import { rowsBatch } from '../stage-rows.ts';
import { idText, parseWebhookJson } from './parse-webhook-json.ts';

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
export type WebhookTopic = (typeof webhookTopics)[number];

/** A delivery that is not one this source can land: answered 400, and no sign of the source's life. */
export class WebhookRefusal extends Error {}

interface InventoryLevelPayload {
  inventory_item_id: string;
  location_id: string;
  available: number | null;
  updated_at: string;
}

interface CancelledOrderPayload {
  id: string;
  created_at?: string;
  updated_at?: string;
  cancelled_at?: string;
  cancel_reason?: string | null;
  currency?: string;
  line_items: Record<string, unknown>[];
}

export type Delivery = { webhookId: string; receivedAt: Date } & (
  | { topic: 'inventory_levels/update'; payload: InventoryLevelPayload }
  | { topic: 'orders/cancelled'; payload: CancelledOrderPayload }
);

/**
 * Reads a verified body under its topic, or refuses it: a topic this source does not take, a body
 * that is not JSON, or one without the fields its topic always carries (a body sent under the
 * wrong topic), so that nothing empty lands as if the shop had spoken.
 */
export function parseDelivery(topic: string, body: Buffer, webhookId: string, receivedAt: Date): Delivery {
  if (!(webhookTopics as readonly string[]).includes(topic)) {
    throw new WebhookRefusal(`topic ${JSON.stringify(topic)} is not handled here (subscribe this address to ${webhookTopics.join(' or ')})`);
  }
  let payload: Record<string, unknown>;
  try {
    payload = parseWebhookJson(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new WebhookRefusal('body is not JSON');
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new WebhookRefusal('body is not a JSON object');
  const missing = (fields: string[]) => fields.filter((field) => payload[field] === undefined || payload[field] === null);
  if (topic === 'inventory_levels/update') {
    const absent = missing(['inventory_item_id', 'location_id', 'updated_at']);
    const itemId = idText(payload.inventory_item_id);
    const locationId = idText(payload.location_id);
    if (absent.length > 0 || !itemId || !locationId || Number.isNaN(Date.parse(String(payload.updated_at)))) {
      throw new WebhookRefusal(`an inventory_levels/update body needs inventory_item_id, location_id and updated_at${absent.length > 0 ? ` (missing ${absent.join(', ')})` : ' (one is not an id or a time)'}`);
    }
    const available = payload.available;
    if (available !== null && available !== undefined && !Number.isInteger(available)) throw new WebhookRefusal(`available ${JSON.stringify(available)} is not an integer`);
    return { topic, webhookId, receivedAt, payload: { inventory_item_id: itemId, location_id: locationId, available: (available as number | undefined) ?? null, updated_at: String(payload.updated_at) } };
  }
  const absent = missing(['id', 'cancelled_at', 'line_items']);
  if (absent.length > 0 || !idText(payload.id) || !Array.isArray(payload.line_items)) {
    throw new WebhookRefusal(`an orders/cancelled body needs id, cancelled_at and line_items${absent.length > 0 ? ` (missing ${absent.join(', ')})` : ''}`);
  }
  return { topic: 'orders/cancelled', webhookId, receivedAt, payload: { ...(payload as unknown as CancelledOrderPayload), id: idText(payload.id)! } };
}

/** What a delivery comes to: a batch to land, or the reason it lands nothing. */
export type WebhookLanding = { batch: PendingBatch } | { skipped: 'stale' | 'no reading'; detail: string };

/**
 * One delivery as one delta batch. Its identity is its content (topic, item, location and
 * `updated_at`; an order's id and time), not the delivery id: Shopify retries with the same id,
 * but a replay of the same signed body under a new id is the same news and lands once.
 */
export async function webhookBatch(db: Database, source: SourceConfig, config: Config, delivery: Delivery): Promise<WebhookLanding> {
  // The ledger's file names the topic only: a batch's identity includes its file name, and the
  // delivery id must not make a replay look new. The delivery id is kept in each row's raw.
  const descriptor = { source: source.name, mode: 'delta' as const, capturedAt: delivery.receivedAt, file: `webhook:${delivery.topic}` };
  if (delivery.topic === 'orders/cancelled') {
    const order = delivery.payload;
    const identity = `orders/cancelled\n${order.id}\n${order.updated_at ?? order.cancelled_at}`;
    return { batch: rowsBatch({ ...descriptor, entity: 'orders' }, cancelledOrderRows(source, config, order, delivery.webhookId), identity) };
  }
  return inventoryLevelLanding(db, source, config, delivery.payload, descriptor, delivery.webhookId);
}

function cancelledOrderRows(source: SourceConfig, config: Config, order: CancelledOrderPayload, webhookId: string) {
  const reason = order.cancel_reason ?? null;
  const columns = ['order_id', 'line_id', 'channel', 'placed_at', 'sku', 'quantity', 'unit_price', 'currency', 'status', 'cancelled_at', 'cancel_reason_raw', 'cancel_reason'];
  return {
    columns,
    rows: order.line_items.map((line) => [
      order.id,
      idText(line.id) ?? '',
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
    raws: order.line_items.map((line) => ({ order_id: order.id, cancel_reason: reason, line, webhook_id: webhookId })),
  };
}

const carriedColumns = ['on_hand', 'committed', 'reserved_other', 'damaged', 'quality_control', 'safety_stock', 'incoming'];

/**
 * `inventory_levels/update` carries only the new `available` of an inventory item at a location,
 * by Shopify's ids. The SKU comes from the source's `sku_map` file, else from the
 * `inventory_item_id` the shopify-api connector keeps in `raw`; without one the row is quarantined,
 * never guessed. The other quantities are carried over from the latest landed salable row of that
 * location and SKU; with none (a webhook-only setup) the row carries the sellable figure alone,
 * as a channel feed does. Deliveries come in any order: one whose `updated_at` is not newer than
 * the latest this source landed for the item and location is old news and lands nothing.
 */
async function inventoryLevelLanding(
  db: Database,
  source: SourceConfig,
  config: Config,
  level: InventoryLevelPayload,
  descriptor: { source: string; mode: 'delta'; capturedAt: Date; file: string },
  webhookId: string,
): Promise<WebhookLanding> {
  const where = `item ${level.inventory_item_id} at location ${level.location_id}`;
  if (level.available === null) return { skipped: 'no reading', detail: `${where} has no available quantity (Shopify's test notification sends none)` };
  const ids = readIdMap(source, config);
  const locations = vendorLocationNames(source, config);
  const locationId = locations.get(level.location_id) ?? ids.locations[level.location_id] ?? locations.get(`gid://shopify/Location/${level.location_id}`) ?? level.location_id;
  const itemGid = `gid://shopify/InventoryItem/${level.inventory_item_id}`;
  const mappedSku = ids.inventory_items[level.inventory_item_id];
  const matchesItem = mappedSku === undefined ? sql`(s.raw->>'inventory_item_id') in (${level.inventory_item_id}, ${itemGid})` : sql`s.sku = ${mappedSku}`;
  const newest = await db.one<{ updated_ms: number | null; updated_at: string | null }>(sql`
    select epoch_ms(max(s.source_updated_at)) as updated_ms, strftime(max(s.source_updated_at), '%Y-%m-%dT%H:%M:%SZ') as updated_at
    from raw.stock_snapshot s join ingest.batches b using (batch_id)
    where b.status = 'landed' and s.source = ${source.name} and s.location_id = ${locationId} and ${matchesItem}`);
  if (newest?.updated_ms != null && Number(newest.updated_ms) >= Date.parse(level.updated_at)) {
    return { skipped: 'stale', detail: `${where} updated at ${level.updated_at} is not newer than the ${newest.updated_at} already landed` };
  }
  const previous = await db.one<Record<string, number | string | null>>(sql`
    select s.sku, ${sql.join(carriedColumns.map((name) => sql.ident('s', name)), ', ')}
    from raw.stock_snapshot s join ingest.batches b using (batch_id)
    where b.status = 'landed' and s.location_id = ${locationId} and s.quantity_semantics = 'salable' and ${matchesItem}
    order by s.captured_at desc limit 1`);
  // A state the previous row left unstated (a narrow delta) stays unstated: the models keep it.
  const carried = carriedColumns.filter((name) => previous?.[name] != null);
  const columns = ['location_id', 'sku', 'source_updated_at', ...carried, 'available_reported', 'quantity_semantics', 'channel'];
  const row = [locationId, mappedSku ?? previous?.sku ?? null, level.updated_at, ...carried.map((name) => previous?.[name] ?? null), level.available, 'salable', channelOf(source, config) ?? null];
  const identity = `inventory_levels/update\n${level.inventory_item_id}\n${level.location_id}\n${new Date(level.updated_at).toISOString()}`;
  return { batch: rowsBatch({ ...descriptor, entity: 'stock' }, { columns, rows: [row], raws: [{ ...level, inventory_item_id: itemGid, webhook_id: webhookId }] }, identity) };
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
    const parsed = parseWebhookJson(readFileSync(file, 'utf8')) as Partial<IdMap>;
    return { inventory_items: parsed.inventory_items ?? {}, locations: parsed.locations ?? {} };
  } catch (error) {
    throw new IngestError(`source ${source.name}: cannot read sku_map ${file}: ${causeMessage(error)}`, { source: source.name }, { cause: error });
  }
}
