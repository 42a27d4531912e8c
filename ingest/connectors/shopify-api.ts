import type { SourceConfig } from '../../core/config-schema.ts';
import { parseDurationMs } from '../../core/duration.ts';
import { IngestError } from '../../core/errors.ts';
import type { Config } from '../../core/load-config.ts';
import { logger } from '../../core/logger.ts';
import { retryPolicyFor } from '../retry.ts';
import { apiVersionWarning } from '../shopify/api-version-support.ts';
import { runBulkQuery } from '../shopify/bulk-operation.ts';
import {
  bulkInventoryQuery,
  inventoryItemsQuery,
  itemLevelsQuery,
  levelRow,
  stockColumns,
  type InventoryItemNode,
  type InventoryItemsPage,
  type InventoryLevelNode,
  type ItemLevelsPage,
} from '../shopify/inventory-query.ts';
import { PageSizer } from '../shopify/page-sizer.ts';
import { AccessDeniedError, QueryCostError, ShopifyGraphqlClient } from '../shopify/shopify-graphql-client.ts';
import { rowsBatch, type CellValue } from '../stage-rows.ts';
import type { Connector } from './connector.ts';
import { channelOf, vendorLocationNames } from './vendor-locations.ts';

/** `fetch_mode: auto` reads a shop with more variants than this through a bulk operation. */
const bulkAboveItems = 1000;

interface ItemLevel {
  item: InventoryItemNode;
  level: InventoryLevelNode;
}

/**
 * Shopify's inventory levels through the Admin GraphQL API, as one full snapshot: every inventory
 * item with every level (one per location stocking it), each a stock row with salable semantics.
 * Read page by page with pages sized from their cost, or through a bulk operation for a large
 * shop. The whole snapshot is fetched before anything lands, so a failure halfway leaves no
 * partial snapshot behind. An item whose stock Shopify does not track (`tracked: false`) has no
 * reading: its quantities are not a stock-out, so it is left out and counted in the log.
 */
export function shopifyApiConnector(source: SourceConfig, config: Config): Connector {
  const locations = vendorLocationNames(source, config);
  const channel = channelOf(source, config) ?? null;
  return {
    async listBatches() {
      const versionWarning = apiVersionWarning(source.api_version, new Date());
      if (versionWarning) logger.warn({ source: source.name }, versionWarning);
      const client = new ShopifyGraphqlClient({
        url: source.url!,
        accessToken: source.access_token,
        apiVersion: source.api_version,
        timeoutMs: parseDurationMs(source.request_timeout)!,
        retry: retryPolicyFor(source),
        source: source.name,
      });
      const capturedAt = new Date();
      const bulk = source.fetch_mode === 'bulk' || (source.fetch_mode === 'auto' && (await variantCount(client, source)) > bulkAboveItems);
      const rows: CellValue[][] = [];
      const raws: unknown[] = [];
      const untracked = new Set<string>();
      for await (const { item, level } of bulk ? bulkLevels(client, source) : pagedLevels(client, source)) {
        if (item.tracked === false) {
          untracked.add(item.id);
          continue;
        }
        const locationId = locations.get(level.location.id) ?? locations.get(level.location.name) ?? level.location.name;
        const { row, raw } = levelRow(item, level, locationId, channel);
        rows.push(row);
        raws.push(raw);
      }
      if (untracked.size > 0) {
        logger.info({ source: source.name, items: untracked.size }, 'inventory items Shopify does not track left out of the snapshot: their quantities are not stock');
      }
      return [rowsBatch({ source: source.name, entity: 'stock', mode: 'full', capturedAt }, { columns: stockColumns, rows, raws })];
    },
  };
}

/**
 * How many variants (one inventory item each) the shop has. Counting needs the read_products
 * scope, which reading inventory does not: without it the shop is read page by page.
 */
async function variantCount(client: ShopifyGraphqlClient, source: SourceConfig): Promise<number> {
  try {
    const { data } = await client.query<{ productVariantsCount: { count: number } | null }>('query VariantCount { productVariantsCount { count } }', {}, 1);
    return data.productVariantsCount?.count ?? 0;
  } catch (error) {
    if (!(error instanceof AccessDeniedError)) throw error;
    logger.warn({ source: source.name, err: error.message }, 'cannot count the shop\'s variants (grant read_products, or set fetch_mode: bulk for a large shop); reading it page by page');
    return 0;
  }
}

/** Every item's levels through cursor pages, each page as large as its cost allows. */
async function* pagedLevels(client: ShopifyGraphqlClient, source: SourceConfig): AsyncGenerator<ItemLevel> {
  const sizer = new PageSizer(source.page_size);
  const cursors = new CursorGuard(source.name);
  let after: string | null = null;
  for (;;) {
    const { items, levels, expectedCost } = sizer.next(client.bucketMaximum);
    let page: InventoryItemsPage;
    try {
      const answer = await client.query<InventoryItemsPage>(inventoryItemsQuery, { first: items, after, levels }, expectedCost);
      sizer.observe(answer.cost?.requestedQueryCost, items, levels);
      page = answer.data;
    } catch (error) {
      if (error instanceof QueryCostError && sizer.shrink(error.cost, error.maxCost, items, levels)) {
        logger.info({ source: source.name, items, levels, cost: error.cost, maxCost: error.maxCost }, 'shopify page over the single-query cost limit; asking for a smaller page');
        continue;
      }
      throw error;
    }
    for (const { node } of page.inventoryItems.edges) {
      const { inventoryLevels, ...item } = node;
      let count = 0;
      for (const { node: level } of inventoryLevels.edges) {
        count++;
        yield { item, level };
      }
      if (inventoryLevels.pageInfo.hasNextPage) {
        for await (const level of moreLevels(client, source, sizer, item, inventoryLevels.pageInfo.endCursor)) {
          count++;
          yield { item, level };
        }
      }
      sizer.sawLevels(count);
    }
    const { hasNextPage, endCursor } = page.inventoryItems.pageInfo;
    if (!hasNextPage) return;
    after = cursors.next(endCursor);
  }
}

/** The levels of an item stocked at more locations than its page asked for. */
async function* moreLevels(client: ShopifyGraphqlClient, source: SourceConfig, sizer: PageSizer, item: InventoryItemNode, cursor: string | null): AsyncGenerator<InventoryLevelNode> {
  const cursors = new CursorGuard(source.name);
  let after = cursors.next(cursor);
  let levels = sizer.levelCap(client.bucketMaximum);
  for (;;) {
    let data: ItemLevelsPage;
    try {
      ({ data } = await client.query<ItemLevelsPage>(itemLevelsQuery, { id: item.id, after, levels }, 3 + 3 * levels));
    } catch (error) {
      // Priced over the limit: ask for as many fewer levels as the price says, and at least one fewer.
      if (!(error instanceof QueryCostError) || levels <= 1) throw error;
      levels = Math.max(1, Math.min(levels - 1, Math.floor((levels * error.maxCost) / error.cost)));
      continue;
    }
    if (!data.inventoryItem) throw new IngestError(`source ${source.name}: inventory item ${item.id} vanished while its levels were read; no snapshot landed (the next run reads it again)`, { source: source.name, transient: true });
    for (const { node } of data.inventoryItem.inventoryLevels.edges) yield node;
    const { hasNextPage, endCursor } = data.inventoryItem.inventoryLevels.pageInfo;
    if (!hasNextPage) return;
    after = cursors.next(endCursor);
  }
}

/** A cursor that is missing or comes round again would page forever: fail instead. */
class CursorGuard {
  private readonly seen = new Set<string>();
  constructor(private readonly source: string) {}

  next(cursor: string | null): string {
    if (!cursor || this.seen.has(cursor)) {
      throw new IngestError(`source ${this.source}: shopify returned hasNextPage without a new endCursor (${JSON.stringify(cursor)}); no snapshot landed`, { source: this.source });
    }
    this.seen.add(cursor);
    return cursor;
  }
}

/** Every item's levels from one bulk operation's JSONL: items first met, levels by `__parentId`. */
async function* bulkLevels(client: ShopifyGraphqlClient, source: SourceConfig): AsyncGenerator<ItemLevel> {
  const items = new Map<string, InventoryItemNode>();
  const orphans: (InventoryLevelNode & { __parentId: string })[] = [];
  for await (const record of runBulkQuery(client, bulkInventoryQuery, parseDurationMs(source.request_timeout)!, source.name)) {
    const parentId = record.__parentId;
    if (typeof parentId !== 'string') {
      items.set(String(record.id), record as unknown as InventoryItemNode);
      continue;
    }
    const { __parentId, ...fields } = record;
    const level = fields as unknown as InventoryLevelNode;
    const item = items.get(parentId);
    if (item) yield { item, level };
    else orphans.push({ ...level, __parentId: parentId });
  }
  // Shopify lists a child after its parent but warns not to rely on the order of lines: a level
  // met before its item waits for it.
  for (const { __parentId, ...level } of orphans) {
    const item = items.get(__parentId);
    if (!item) throw new IngestError(`source ${source.name}: the bulk operation result has a level of unknown item ${__parentId}; no snapshot landed`, { source: source.name });
    yield { item, level };
  }
}
