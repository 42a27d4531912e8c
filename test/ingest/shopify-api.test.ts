import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { runIngest } from '../../ingest/run-ingest.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { startFakeShopify, type FakeLevel, type FakeStep } from './helpers/fake-shopify.ts';
import { openSetup } from './helpers/ingest-setup.ts';

const tempDir = useTempDir();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Seven items, two levels each: four pages of two items. */
const items: FakeLevel[][] = Array.from({ length: 7 }, (_, index) => [
  { sku: `SKU-${index}`, location: 'East DC', quantities: { available: index, on_hand: index + 3, committed: 1, incoming: 0, damaged: 2, quality_control: 0, safety_stock: 0, reserved: 0 } },
  { sku: `SKU-${index}`, location: 'West DC', quantities: { available: 0, on_hand: 0, committed: 0, incoming: 4, damaged: 0, quality_control: 0, safety_stock: 0, reserved: 0 } },
]);

async function setup(script: FakeStep[]): Promise<{ db: Database; run: () => ReturnType<typeof runIngest>; requests: { after: string | null; token: string | undefined; path: string }[] }> {
  const shopify = await startFakeShopify(items, script, 2);
  cleanups.push(shopify.close);
  const dir = tempDir();
  const { config, db } = await openSetup(
    dir,
    `sources:
  - name: shopify
    system: ecommerce
    connector: shopify-api
    url: ${shopify.url}
    access_token: shpat_test
    page_size: 2
    request_timeout: 3s
    retry: { attempts: 4, base_delay: 10ms, max_delay: 40ms }
locations:
  - { id: WH-EAST, name: East DC }
  - { id: WH-WEST, name: West DC }
channels:
  - { name: web, kind: web, source: shopify, locations: [WH-EAST, WH-WEST] }
`,
  );
  cleanups.push(() => db.closeSync());
  return { db, run: () => runIngest(config, db), requests: shopify.requests };
}

describe('the shopify-api connector against a fake Shopify', () => {
  it('pages through every inventory item and lands one whole snapshot through 429, 500, throttling and a timeout', async () => {
    const { db, run, requests } = await setup([
      { kind: 'page' },
      { kind: 'status', status: 429, retryAfter: '0' },
      { kind: 'status', status: 500 },
      { kind: 'page' },
      { kind: 'throttled' },
      { kind: 'hang', ms: 8000 },
      { kind: 'page' },
    ]);
    const [summary] = await run();
    expect(summary).toMatchObject({ status: 'succeeded', batches: 1, rows: 14, rejected: 0 });
    // Every retry asked again for the same page; each page followed the previous endCursor.
    expect(requests.map((request) => request.after)).toEqual([null, 'cursor-2', 'cursor-2', 'cursor-2', 'cursor-4', 'cursor-4', 'cursor-4', 'cursor-6']);
    expect(requests[0]).toMatchObject({ token: 'shpat_test', path: '/admin/api/2025-01/graphql.json' });
    expect(await db.one("select location_id, sku, on_hand, committed, damaged, available_reported, quantity_semantics, channel, source_updated_at from raw.stock_snapshot where sku = 'SKU-6' and location_id = 'WH-EAST'")).toEqual({
      location_id: 'WH-EAST', sku: 'SKU-6', on_hand: 9, committed: 1, damaged: 2, available_reported: 6, quantity_semantics: 'salable', channel: 'web', source_updated_at: '2026-11-01T05:00:00.000Z',
    });
    expect(await db.one("select raw->>'inventory_item_id' as item from raw.stock_snapshot where sku = 'SKU-6' and location_id = 'WH-EAST'")).toEqual({ item: 'gid://shopify/InventoryItem/7' });
    expect(await db.rows('select trigger, status, batches, rows from ingest.runs')).toEqual([{ trigger: 'manual', status: 'succeeded', batches: 1, rows: 14 }]);
  });

  it('fails the run cleanly after its retries when Shopify keeps answering 500, and lands no partial snapshot', async () => {
    const { db, run, requests } = await setup([{ kind: 'page' }, ...Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 503 }))]);
    const [summary] = await run();
    expect(summary).toMatchObject({ status: 'failed', batches: 0, rows: 0, transient: true });
    expect(requests).toHaveLength(5);
    expect(await db.one('select status, error from ingest.runs')).toEqual({ status: 'failed', error: expect.stringMatching(/^shopify answered 503/) });
    expect(await db.one('select (select count(*) from raw.stock_snapshot) as rows, (select count(*) from ingest.batches) as batches')).toEqual({ rows: 0, batches: 0 });
  });

  it('fails when the cursor is broken instead of paging forever, and lands nothing', async () => {
    const { db, run } = await setup([{ kind: 'page' }, { kind: 'page-without-cursor' }]);
    const [summary] = await run();
    expect(summary.status).toBe('failed');
    expect(summary.error).toBe('source shopify: shopify returned hasNextPage without a new endCursor (null); no snapshot landed');
    expect(await db.one('select count(*) as n from raw.stock_snapshot')).toEqual({ n: 0 });
  });

  it('does not retry a permanent failure: a rejected cursor or a 401', async () => {
    const cursor = await setup([{ kind: 'page' }, { kind: 'graphql-error', message: 'Invalid cursor for current pagination sort.' }]);
    const [invalid] = await cursor.run();
    expect(invalid).toMatchObject({ status: 'failed', transient: false, error: 'shopify query failed: Invalid cursor for current pagination sort.' });
    expect(cursor.requests).toHaveLength(2);

    const unauthorized = await setup([{ kind: 'status', status: 401, body: '{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}' }]);
    const [denied] = await unauthorized.run();
    expect(denied.error).toMatch(/^shopify answered 401: check access_token and its read_inventory scope/);
    expect(unauthorized.requests).toHaveLength(1);
    expect(await unauthorized.db.one('select count(*) as n from raw.stock_snapshot')).toEqual({ n: 0 });
  });
});
