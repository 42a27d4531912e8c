import { afterEach, describe, expect, it } from 'vitest';
import { evaluateAlerts } from '../../alerts/index.ts';
import { Database, sql } from '../../db/database.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { alertTestConfig } from './helpers/alert-config.ts';
import { createMarts, injectEastShopifyIncident, now, injectShopifyMorningOutage } from './helpers/mart-fixture.ts';

describe('a stale copy', () => {
  const tempDir = useTempDir('stocklens-stale-');
  let db: Database | undefined;
  afterEach(() => db?.closeSync());

  it("keeps the mismatches of a copy that went stale out of the mismatch rate, so the outage's echo alerts nobody", async () => {
    const dir = tempDir();
    const config = alertTestConfig(dir, 2525);
    db = await Database.open(config.databaseFile);
    await createMarts(db);
    await injectEastShopifyIncident(db);
    await injectShopifyMorningOutage(db);
    // 18 of 200 comparisons (9%) mismatched today, but 12 of them at 06:00 and 07:00 were Shopify's
    // old copy: the 6 at 09:00 (3%) are within the baseline's noise.
    const quiet = await evaluateAlerts(config, db, { now });
    expect(quiet.firing).toEqual([]);

    // While the copy is stale (at 08:00) the stale alert fires, and no mismatch alert is sent about
    // that source: none fires, or one that does is inhibited by the stale alert.
    const during = await evaluateAlerts(config, db, { now: new Date('2026-11-23T08:10:00Z') });
    expect(during.firing).toContain('stale-source|source=shopify');
    expect(during.firing.filter((key) => key.startsWith('mismatch-rate|') && key.includes('source=shopify') && !during.suppressed[key])).toEqual([]);
    const state = await db.one(sql`select title from alerts.alert_state where alert_key = 'stale-source|source=shopify'`);
    expect(state?.title).toBe('shopify: data is 2.5 h old (limit 2.0 h)');
  });

  it('counts the same mismatches when the source never went stale', async () => {
    const dir = tempDir();
    const config = alertTestConfig(dir, 2525);
    db = await Database.open(config.databaseFile);
    await createMarts(db);
    await injectEastShopifyIncident(db);
    const evaluation = await evaluateAlerts(config, db, { now });
    expect(evaluation.firing).toContain('mismatch-rate|location=WH-EAST|source=shopify');
  });
});
