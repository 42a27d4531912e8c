import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { runIngest } from '../../ingest/run-ingest.ts';
import { apiVersionWarning, latestStableVersion } from '../../ingest/shopify/api-version-support.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { startFakeShopify, type FakeItem } from './helpers/fake-shopify.ts';
import { openSetup } from './helpers/ingest-setup.ts';

const tempDir = useTempDir();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const locationCount = 60;
const itemCount = 5000;
/** Every 250th item is not tracked by the merchant: Shopify reports 0 available for it. */
const untracked = (index: number) => index % 250 === 7;
const shop: FakeItem[] = Array.from({ length: itemCount }, (_, index) => ({
  sku: `SKU-${String(index).padStart(5, '0')}`,
  tracked: !untracked(index),
  levels: Array.from({ length: locationCount }, (_, location) => {
    const onHand = (index * 7 + location * 3) % 40;
    const committed = onHand % 4;
    return {
      location: `Store ${location}`,
      quantities: { on_hand: onHand, committed, reserved: 0, damaged: onHand % 3 === 0 ? 1 : 0, quality_control: 0, safety_stock: 0, incoming: location % 5, available: onHand - committed - (onHand % 3 === 0 ? 1 : 0) },
    };
  }),
}));
const tracked = shop.filter((item) => item.tracked);
const expectedOnHand = tracked.reduce((sum, item) => sum + item.levels.reduce((levels, level) => levels + level.quantities.on_hand, 0), 0);

async function landShop(fetchMode: 'paged' | 'bulk') {
  // A bucket refilled far faster than any plan's (Plus restores 1,000 points a second) so the test
  // pages 5,000 items in seconds; the single-query max and the bucket's size are Shopify's.
  const shopify = await startFakeShopify(shop, [], { maximumAvailable: 1000, restoreRate: 1_000_000, bulkPolls: 2 });
  cleanups.push(shopify.close);
  const locations = Array.from({ length: locationCount }, (_, location) => `  - { id: LOC-${location}, name: Store ${location} }`).join('\n');
  const { config, db } = await openSetup(
    tempDir(),
    `sources:
  - { name: shopify, system: ecommerce, connector: shopify-api, url: "${shopify.url}", access_token: shpat_test, fetch_mode: ${fetchMode}, retry: { attempts: 3, base_delay: 10ms, max_delay: 40ms } }
locations:
${locations}
channels:
  - { name: web, kind: web, source: shopify, locations: [LOC-0] }
`,
  );
  cleanups.push(() => db.closeSync());
  const [summary] = await runIngest(config, db);
  return { db: db as Database, summary, requests: shopify.requests };
}

async function landedTotals(db: Database) {
  return db.one(`select count(*) as rows, count(distinct sku) as skus, count(distinct location_id) as locations, sum(on_hand)::bigint as on_hand,
    count(*) filter (where sku = 'SKU-00007') as untracked_rows from raw.stock_snapshot`);
}

describe('a 5,000-item shop with 60 locations', () => {
  it('lands through cost-sized pages, none over the single-query limit, levels paged past 50 locations', async () => {
    const { db, summary, requests } = await landShop('paged');
    expect(summary).toMatchObject({ status: 'succeeded', batches: 1, rows: tracked.length * locationCount, rejected: 0 });
    expect(await landedTotals(db)).toEqual({ rows: tracked.length * locationCount, skus: tracked.length, locations: locationCount, on_hand: expectedOnHand, untracked_rows: 0 });
    // Shopify answered every page it priced at 1,000 points or less, and refused only the first guess.
    const answered = requests.filter((request) => request.outcome === 'answered');
    expect(Math.max(...answered.map((request) => request.requestedCost))).toBeLessThanOrEqual(1000);
    expect(requests.filter((request) => request.outcome === 'MAX_COST_EXCEEDED').length).toBeLessThanOrEqual(2);
    // The first items, asked with 50 levels, had the other 10 fetched by the item; later pages ask for 60.
    expect(requests.some((request) => request.operation === 'inventoryItem' && request.outcome === 'answered')).toBe(true);
    expect(requests.filter((request) => request.operation === 'inventoryItems').at(-1)?.variables.levels).toBe(locationCount);
    const last = shop[4999].levels[59].quantities;
    expect(await db.one("select location_id, on_hand, committed, damaged, incoming, available_reported from raw.stock_snapshot where sku = 'SKU-04999' and location_id = 'LOC-59'")).toEqual({
      location_id: 'LOC-59', on_hand: last.on_hand, committed: last.committed, damaged: last.damaged, incoming: last.incoming, available_reported: last.available,
    });
  }, 240_000);

  it('lands the same snapshot through a bulk operation and its JSONL result', async () => {
    const { db, summary, requests } = await landShop('bulk');
    expect(summary).toMatchObject({ status: 'succeeded', batches: 1, rows: tracked.length * locationCount, rejected: 0 });
    expect(await landedTotals(db)).toEqual({ rows: tracked.length * locationCount, skus: tracked.length, locations: locationCount, on_hand: expectedOnHand, untracked_rows: 0 });
    // One mutation, then polls until COMPLETED: no page queries at all.
    expect(requests.map((request) => [request.operation, request.outcome])).toEqual([
      ['bulkOperationRunQuery', 'answered'],
      ['node', 'answered'],
      ['node', 'answered'],
      ['node', 'answered'],
    ]);
    expect(await db.one("select raw->>'inventory_item_id' as item, raw->>'__parentId' as parent from raw.stock_snapshot where sku = 'SKU-00000' and location_id = 'LOC-0'")).toEqual({ item: 'gid://shopify/InventoryItem/1', parent: null });
  }, 240_000);
});

describe('shopify api versions', () => {
  it('defaults to a version Shopify still supports and warns as the configured one nears its end', () => {
    const now = new Date('2026-12-05T00:00:00Z');
    expect(latestStableVersion(now)).toBe('2026-10');
    expect(apiVersionWarning('2026-10', now)).toBeUndefined();
    expect(apiVersionWarning('2026-01', now)).toBe('shopify api_version 2026-01 reaches its support end on 2027-01-01 (in 27 days): set api_version to 2026-10 (Shopify supports each version for 12 months)');
    expect(apiVersionWarning('2025-01', now)).toBe('shopify api_version 2025-01 is past its support end (2026-01-01): Shopify now answers with another version; set api_version to 2026-10 (Shopify supports each version for 12 months)');
  });
});
