import type { CellValue } from '../stage-rows.ts';

/**
 * The quantity names Shopify keeps per inventory level (InventoryLevel.quantities, Admin GraphQL
 * 2023-01 on), and the canonical column each lands in. Shopify's `reserved` is stock held for
 * draft orders and other reservations: units on hand that are not sellable, so `reserved_other`.
 */
export const quantityColumns = {
  on_hand: 'on_hand',
  committed: 'committed',
  reserved: 'reserved_other',
  damaged: 'damaged',
  quality_control: 'quality_control',
  safety_stock: 'safety_stock',
  incoming: 'incoming',
  available: 'available_reported',
} as const;

const quantityNames = JSON.stringify(Object.keys(quantityColumns));
const levelFields = `id updatedAt location { id name } quantities(names: ${quantityNames}) { name quantity }`;
const itemFields = 'id sku tracked';

/** One page of inventory items, each with its first `$levels` levels (one per location stocking it). */
export const inventoryItemsQuery = `query InventoryItems($first: Int!, $after: String, $levels: Int!) {
  inventoryItems(first: $first, after: $after) {
    edges { node { ${itemFields} inventoryLevels(first: $levels) { edges { node { ${levelFields} } } pageInfo { hasNextPage endCursor } } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** The levels of one item after the first page of them (an item stocked at more locations than `$levels`). */
export const itemLevelsQuery = `query ItemLevels($id: ID!, $after: String, $levels: Int!) {
  inventoryItem(id: $id) {
    inventoryLevels(first: $levels, after: $after) { edges { node { ${levelFields} } } pageInfo { hasNextPage endCursor } }
  }
}`;

/**
 * The whole catalogue for a bulk operation: no page sizes (Shopify ignores them there) and no
 * pageInfo; the JSONL result has one line per item and one per level, the level pointing at its
 * item through `__parentId`.
 */
export const bulkInventoryQuery = `{
  inventoryItems {
    edges { node { ${itemFields} inventoryLevels { edges { node { ${levelFields} } } } } }
  }
}`;

/**
 * What a page of `inventoryItemsQuery` costs by Shopify's documented rules: an object 1, a scalar
 * 0, a connection 2 plus `first` times its node. An item is itself, its levels connection and
 * per level the level, its location and its quantities.
 */
export function estimatedPageCost(items: number, levels: number): number {
  return 2 + items * (1 + 2 + levels * 3);
}

export interface InventoryLevelNode {
  id: string;
  updatedAt?: string;
  location: { id: string; name: string };
  quantities: { name: string; quantity: number }[];
}

export interface InventoryItemNode {
  id: string;
  sku: string | null;
  /** False when the merchant does not track the item's stock: its quantities say nothing. */
  tracked?: boolean;
}

interface Connection<T> {
  edges: { node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface InventoryItemsPage {
  inventoryItems: Connection<InventoryItemNode & { inventoryLevels: Connection<InventoryLevelNode> }>;
}

export interface ItemLevelsPage {
  inventoryItem: { inventoryLevels: Connection<InventoryLevelNode> } | null;
}

export const stockColumns = ['location_id', 'sku', 'source_updated_at', ...Object.values(quantityColumns), 'quantity_semantics', 'channel'];

/** One level as a canonical stock row (salable semantics) and the vendor record kept in `raw`. */
export function levelRow(item: InventoryItemNode, level: InventoryLevelNode, locationId: string, channel: string | null): { row: CellValue[]; raw: unknown } {
  const quantities = new Map(level.quantities.map((quantity) => [quantity.name, quantity.quantity]));
  return {
    row: [locationId, item.sku, level.updatedAt ?? null, ...Object.keys(quantityColumns).map((name) => quantities.get(name) ?? null), 'salable', channel],
    raw: { inventory_item_id: item.id, sku: item.sku, ...level },
  };
}
