import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { runIngest } from '../../ingest/run-ingest.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { startFakeShopify, type FakeItem, type FakeShopifyOptions, type FakeStep } from './helpers/fake-shopify.ts';
import { openSetup } from './helpers/ingest-setup.ts';

const tempDir = useTempDir();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Seven items, two levels each. */
const items: FakeItem[] = Array.from({ length: 7 }, (_, index) => ({
  sku: `SKU-${index}`,
  levels: [
    { location: 'East DC', quantities: { available: index, on_hand: index + 3, committed: 1, incoming: 0, damaged: 2, quality_control: 0, safety_stock: 0, reserved: 0 } },
    { location: 'West DC', quantities: { available: 0, on_hand: 0, committed: 0, incoming: 4, damaged: 0, quality_control: 0, safety_stock: 0, reserved: 0 } },
  ],
}));

async function setup(script: FakeStep[], options: { shop?: FakeItem[]; fake?: FakeShopifyOptions; source?: string; attempts?: number } = {}) {
  const shopify = await startFakeShopify(options.shop ?? items, script, options.fake);
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
    retry: { attempts: ${options.attempts ?? 4}, base_delay: 10ms, max_delay: 40ms }
${options.source ?? ''}
locations:
  - { id: WH-EAST, name: East DC }
  - { id: WH-WEST, name: West DC }
channels:
  - { name: web, kind: web, source: shopify, locations: [WH-EAST, WH-WEST] }
`,
  );
  cleanups.push(() => db.closeSync());
  return { db: db as Database, run: () => runIngest(config, db), requests: shopify.requests };
}

describe('the shopify-api connector against a fake Shopify', () => {
  it('pages through every inventory item and lands one whole snapshot through 429, 500 and a timeout', async () => {
    const { db, run, requests } = await setup([
      { kind: 'answer' },
      { kind: 'answer' },
      { kind: 'answer' },
      { kind: 'status', status: 429, retryAfter: '0' },
      { kind: 'status', status: 500 },
      { kind: 'answer' },
      { kind: 'hang', ms: 8000 },
      { kind: 'answer' },
    ]);
    const [summary] = await run();
    expect(summary).toMatchObject({ status: 'succeeded', batches: 1, rows: 14, rejected: 0 });
    // A shop this small is paged (not a bulk operation); the first page, priced at 1,008 points by
    // Shopify's rules, is refused and asked again smaller; every retry asks for the same page.
    expect(requests.map((request) => [request.operation, request.variables.after ?? null, request.variables.first ?? null, request.outcome])).toEqual([
      ['productVariantsCount', null, null, 'answered'],
      ['inventoryItems', null, 2, 'MAX_COST_EXCEEDED'],
      ['inventoryItems', null, 1, 'answered'],
      ['inventoryItems', 'cursor-1', 2, 'scripted'],
      ['inventoryItems', 'cursor-1', 2, 'scripted'],
      ['inventoryItems', 'cursor-1', 2, 'answered'],
      ['inventoryItems', 'cursor-3', 2, 'scripted'],
      ['inventoryItems', 'cursor-3', 2, 'answered'],
      ['inventoryItems', 'cursor-5', 2, 'answered'],
    ]);
    expect(requests[0]).toMatchObject({ token: 'shpat_test', path: '/admin/api/2026-10/graphql.json' });
    expect(await db.one("select location_id, sku, on_hand, committed, damaged, available_reported, quantity_semantics, channel, source_updated_at from raw.stock_snapshot where sku = 'SKU-6' and location_id = 'WH-EAST'")).toEqual({
      location_id: 'WH-EAST', sku: 'SKU-6', on_hand: 9, committed: 1, damaged: 2, available_reported: 6, quantity_semantics: 'salable', channel: 'web', source_updated_at: '2026-11-01T05:00:00.000Z',
    });
    expect(await db.one("select raw->>'inventory_item_id' as item from raw.stock_snapshot where sku = 'SKU-6' and location_id = 'WH-EAST'")).toEqual({ item: 'gid://shopify/InventoryItem/7' });
    expect(await db.rows('select trigger, status, batches, rows from ingest.runs')).toEqual([{ trigger: 'manual', status: 'succeeded', batches: 1, rows: 14 }]);
  });

  it('reads page by page when the token may not count variants (no read_products scope)', async () => {
    const { run, requests } = await setup([], { fake: { deniedFields: ['productVariantsCount'] } });
    const [summary] = await run();
    expect(summary).toMatchObject({ status: 'succeeded', rows: 14 });
    expect(requests[0]).toMatchObject({ operation: 'productVariantsCount', outcome: 'ACCESS_DENIED' });
    expect(new Set(requests.slice(1).map((request) => request.operation))).toEqual(new Set(['inventoryItems']));
  });

  it('waits out THROTTLED as the bucket refills instead of spending a retry on it', async () => {
    // One attempt only: a throttled query that counted as a failure would fail the run.
    const { db, run, requests } = await setup([{ kind: 'answer' }, { kind: 'answer' }, { kind: 'drain-bucket' }], {
      fake: { maximumAvailable: 1000, restoreRate: 2000 },
      source: '    fetch_mode: paged',
      attempts: 1,
    });
    const [summary] = await run();
    expect(summary).toMatchObject({ status: 'succeeded', rows: 14 });
    const outcomes = requests.map((request) => request.outcome);
    // Throttled once, then asked again only once the bucket held the page's cost: never twice.
    expect(outcomes.filter((outcome) => outcome === 'THROTTLED')).toHaveLength(1);
    expect(outcomes[outcomes.indexOf('THROTTLED') + 1]).toBe('answered');
    expect(await db.one('select count(*) as n from raw.stock_snapshot')).toEqual({ n: 14 });
  });

  it('lands a bulk operation whose JSONL lists levels before their items', async () => {
    const { db, run, requests } = await setup([], { fake: { bulkReversed: true }, source: '    fetch_mode: bulk' });
    const [summary] = await run();
    expect(summary).toMatchObject({ status: 'succeeded', batches: 1, rows: 14, rejected: 0 });
    expect(requests.map((request) => request.operation)).toEqual(['bulkOperationRunQuery', 'node', 'node']);
    expect(await db.one("select sku, on_hand, available_reported from raw.stock_snapshot where sku = 'SKU-6' and location_id = 'WH-EAST'")).toEqual({ sku: 'SKU-6', on_hand: 9, available_reported: 6 });
  });

  it('fails the run with Shopify\'s error code when the bulk operation fails, and lands nothing', async () => {
    const { db, run } = await setup([], { fake: { bulkFailure: 'ACCESS_DENIED' }, source: '    fetch_mode: bulk' });
    const [summary] = await run();
    expect(summary).toMatchObject({ status: 'failed', transient: false, error: 'source shopify: shopify bulk operation gid://shopify/BulkOperation/1 ended FAILED (ACCESS_DENIED); no snapshot landed' });
    expect(await db.one('select count(*) as n from raw.stock_snapshot')).toEqual({ n: 0 });
  });

  it('fails the run cleanly after its retries when Shopify keeps answering 500, and lands no partial snapshot', async () => {
    const { db, run, requests } = await setup([{ kind: 'answer' }, ...Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 503 }))], { source: '    fetch_mode: paged' });
    const [summary] = await run();
    expect(summary).toMatchObject({ status: 'failed', batches: 0, rows: 0, transient: true });
    // The first page, refused as too costly, is asked again smaller: then four 503s end the run.
    expect(requests.map((request) => request.outcome)).toEqual(['MAX_COST_EXCEEDED', 'scripted', 'scripted', 'scripted', 'scripted']);
    expect(await db.one('select status, error from ingest.runs')).toEqual({ status: 'failed', error: expect.stringMatching(/^shopify answered 503/) });
    expect(await db.one('select (select count(*) from raw.stock_snapshot) as rows, (select count(*) from ingest.batches) as batches')).toEqual({ rows: 0, batches: 0 });
  });

  it('fails when the cursor is broken instead of paging forever, and lands nothing', async () => {
    const { db, run } = await setup([{ kind: 'answer' }, { kind: 'answer' }, { kind: 'page-without-cursor' }], { source: '    fetch_mode: paged' });
    const [summary] = await run();
    expect(summary.status).toBe('failed');
    expect(summary.error).toBe('source shopify: shopify returned hasNextPage without a new endCursor (null); no snapshot landed');
    expect(await db.one('select count(*) as n from raw.stock_snapshot')).toEqual({ n: 0 });
  });

  it('does not retry a permanent failure: a rejected cursor or a 401', async () => {
    const cursor = await setup([{ kind: 'answer' }, { kind: 'answer' }, { kind: 'graphql-error', message: 'Invalid cursor for current pagination sort.' }], { source: '    fetch_mode: paged' });
    const [invalid] = await cursor.run();
    expect(invalid).toMatchObject({ status: 'failed', transient: false, error: 'shopify query failed: Invalid cursor for current pagination sort.' });
    expect(cursor.requests).toHaveLength(3);

    const unauthorized = await setup([{ kind: 'status', status: 401, body: '{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}' }]);
    const [denied] = await unauthorized.run();
    expect(denied.error).toMatch(/^shopify answered 401: check access_token and its read_inventory scope/);
    expect(unauthorized.requests).toHaveLength(1);
    expect(await unauthorized.db.one('select count(*) as n from raw.stock_snapshot')).toEqual({ n: 0 });
  });
});
