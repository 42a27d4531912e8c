import type { SourceConfig } from '../../core/config-schema.ts';
import { parseDurationMs } from '../../core/duration.ts';
import { IngestError } from '../../core/errors.ts';
import type { Config } from '../../core/load-config.ts';
import { retryPolicyFor } from '../retry.ts';
import { ShopifyGraphqlClient } from '../shopify/shopify-graphql-client.ts';
import { rowsBatch, type CellValue } from '../stage-rows.ts';
import type { Connector } from './connector.ts';
import { channelOf, vendorLocationNames } from './vendor-locations.ts';

/** The quantity names Shopify keeps per inventory level, and the canonical column each lands in. */
const quantityColumns = {
  on_hand: 'on_hand',
  committed: 'committed',
  reserved: 'reserved_other',
  damaged: 'damaged',
  quality_control: 'quality_control',
  safety_stock: 'safety_stock',
  incoming: 'incoming',
  available: 'available_reported',
} as const;

const levelsPerItem = 50;

export const inventoryLevelsQuery = `query InventoryLevels($first: Int!, $after: String) {
  inventoryItems(first: $first, after: $after) {
    edges {
      node {
        id
        sku
        inventoryLevels(first: ${levelsPerItem}) {
          edges { node { id updatedAt location { id name } quantities(names: ${JSON.stringify(Object.keys(quantityColumns))}) { name quantity } } }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface InventoryLevelNode {
  id: string;
  updatedAt?: string;
  location: { id: string; name: string };
  quantities: { name: string; quantity: number }[];
}

interface InventoryItemsPage {
  inventoryItems: {
    edges: { node: { id: string; sku: string | null; inventoryLevels: { edges: { node: InventoryLevelNode }[] } } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

/**
 * Shopify's inventory levels through the Admin GraphQL API: every inventory item page by page
 * (cursor pagination), each level one stock row with salable semantics. The whole snapshot is
 * fetched before anything lands, so a failure on page 7 leaves no partial snapshot behind.
 */
export function shopifyApiConnector(source: SourceConfig, config: Config): Connector {
  const locations = vendorLocationNames(source, config);
  const channel = channelOf(source, config) ?? null;
  return {
    async listBatches() {
      const client = new ShopifyGraphqlClient({
        url: source.url!,
        accessToken: source.access_token,
        apiVersion: source.api_version,
        timeoutMs: parseDurationMs(source.request_timeout)!,
        retry: retryPolicyFor(source),
        source: source.name,
      });
      const capturedAt = new Date();
      const columns = ['location_id', 'sku', 'source_updated_at', ...Object.values(quantityColumns), 'quantity_semantics', 'channel'];
      const rows: CellValue[][] = [];
      const raws: unknown[] = [];
      let after: string | null = null;
      const seenCursors = new Set<string>();
      for (;;) {
        const page: InventoryItemsPage = await client.query<InventoryItemsPage>(inventoryLevelsQuery, { first: source.page_size, after });
        for (const { node: item } of page.inventoryItems.edges) {
          for (const { node: level } of item.inventoryLevels.edges) {
            const quantities = new Map(level.quantities.map((quantity) => [quantity.name, quantity.quantity]));
            const locationId = locations.get(level.location.id) ?? locations.get(level.location.name) ?? level.location.name;
            rows.push([locationId, item.sku, level.updatedAt ?? null, ...Object.keys(quantityColumns).map((name) => quantities.get(name) ?? null), 'salable', channel]);
            raws.push({ inventory_item_id: item.id, sku: item.sku, ...level });
          }
        }
        const { hasNextPage, endCursor } = page.inventoryItems.pageInfo;
        if (!hasNextPage) break;
        // A cursor that is missing or comes round again would page forever: fail instead.
        if (!endCursor || seenCursors.has(endCursor)) {
          throw new IngestError(`source ${source.name}: shopify returned hasNextPage without a new endCursor (${JSON.stringify(endCursor)}); no snapshot landed`, { source: source.name });
        }
        seenCursors.add(endCursor);
        after = endCursor;
      }
      return [rowsBatch({ source: source.name, entity: 'stock', mode: 'full', capturedAt }, { columns, rows, raws })];
    },
  };
}
