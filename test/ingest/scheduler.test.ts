import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { ensureLandingSchema } from '../../ingest/ensure-schema.ts';
import { startIngestSchedules, type IngestScheduler } from '../../ingest/scheduler.ts';
import type { SourceSummary } from '../../ingest/run-ingest.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { startFakeShopify, type FakeStep } from './helpers/fake-shopify.ts';
import { openSetup, twoWarehouses, writeFiles } from './helpers/ingest-setup.ts';

const tempDir = useTempDir();
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Waits until `check` holds, polling; the test's own timeout bounds it. */
async function eventually<T>(check: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function setup(yamlSources: string, files: Record<string, string> = {}) {
  const dir = tempDir();
  writeFiles(dir, 'inbox', files);
  const { config, db } = await openSetup(dir, `sources:\n${yamlSources}${twoWarehouses}`);
  cleanups.push(() => db.closeSync());
  return { config, db };
}

function track(scheduler: IngestScheduler) {
  cleanups.push(() => scheduler.stop());
  return scheduler;
}

const runs = (db: Database) => db.rows('select source, trigger, attempt, status from ingest.runs order by started_at, attempt');

describe('the ingest scheduler', () => {
  it('catches up at start on a source that never succeeded, lands it and calls onLanded', async () => {
    const { config, db } = await setup('  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./inbox, schedule: "0 0 1 1 *" }\n', {
      'stock_20261101T000000Z_full.csv': 'location_id,sku,on_hand\nWH-EAST,A,1\n',
    });
    const landed: SourceSummary[][] = [];
    const scheduler = track(startIngestSchedules(config, db, { onLanded: (summaries) => void landed.push(summaries) }));
    await scheduler.caughtUp;
    expect(await runs(db)).toEqual([{ source: 'wms', trigger: 'catch-up', attempt: 1, status: 'succeeded' }]);
    await eventually(async () => landed.length > 0);
    expect(landed[0].map((summary) => [summary.source, summary.rows])).toEqual([['wms', 1]]);
  });

  it('does not catch up on a source whose last success is within its interval', async () => {
    const { config, db } = await setup('  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./inbox, schedule: "0 0 1 1 *" }\n');
    await track(startIngestSchedules(config, db)).caughtUp;
    const first = await runs(db);
    await track(startIngestSchedules(config, db)).caughtUp;
    expect(await runs(db)).toEqual(first);
  });

  it('retries a transiently failing source with backoff and records every attempt, then gives up until the next schedule', async () => {
    const script: FakeStep[] = Array.from({ length: 9 }, () => ({ kind: 'status' as const, status: 502 }));
    const shopify = await startFakeShopify([], script);
    cleanups.push(shopify.close);
    const { config, db } = await setup(
      `  - { name: shop, system: ecommerce, connector: shopify-api, url: "${shopify.url}", schedule: "0 0 1 1 *", retry: { attempts: 3, base_delay: 10ms, max_delay: 30ms } }\n`,
    );
    const scheduler = track(startIngestSchedules(config, db, { catchUp: false }));
    const summary = await scheduler.runSource('shop');
    expect(summary).toMatchObject({ status: 'failed', transient: true });
    expect(await runs(db)).toEqual([1, 2, 3].map((attempt) => ({ source: 'shop', trigger: 'schedule', attempt, status: 'failed' })));
    // Three runs of three requests each: the client's retries inside each run.
    expect(shopify.requests).toHaveLength(9);
  });

  it('does not retry a permanent failure', async () => {
    const shopify = await startFakeShopify([], [{ kind: 'status', status: 403 }]);
    cleanups.push(shopify.close);
    const { config, db } = await setup(
      `  - { name: shop, system: ecommerce, connector: shopify-api, url: "${shopify.url}", schedule: "0 0 1 1 *", retry: { attempts: 3, base_delay: 10ms, max_delay: 30ms } }\n`,
    );
    const scheduler = track(startIngestSchedules(config, db, { catchUp: false }));
    expect(await scheduler.runSource('shop')).toMatchObject({ status: 'failed', transient: false });
    expect(await runs(db)).toEqual([{ source: 'shop', trigger: 'schedule', attempt: 1, status: 'failed' }]);
    expect(shopify.requests).toHaveLength(1);
  });

  it('runs a source on its cron schedule', { timeout: 20_000 }, async () => {
    const { config, db } = await setup('  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./inbox, schedule: "* * * * * *" }\n');
    await ensureLandingSchema(db);
    track(startIngestSchedules(config, db, { catchUp: false }));
    const scheduled = await eventually(async () => (await runs(db)).find((run) => run.trigger === 'schedule' && run.status === 'succeeded'));
    expect(scheduled).toMatchObject({ source: 'wms', attempt: 1 });
  });
});
