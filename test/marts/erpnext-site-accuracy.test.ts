import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as mariadb from 'mariadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/load-config.ts';
import { Database } from '../../db/database.ts';
import { generate, type GenerateOptions } from '../../fixtures/generate.ts';
import { ERPNEXT_UNMAPPED_WAREHOUSE } from '../../fixtures/systems/erpnext-site.ts';
import { runIngest, type SourceSummary } from '../../ingest/run-ingest.ts';
import { buildModels } from '../../models/runner/build.ts';
import { BUSY_BREAKPOINTS } from '../fixtures/tiny-run.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { scoreCauses, type KindScore } from './accuracy-report.ts';
import { replayErpnextSite } from './erpnext-site-replay.ts';
import { loadTruthMismatch, rateOf, scoreSyncFlags, type SetScore } from './truth-mismatch.ts';

/**
 * The ERP as an ERPNext site: the same world generated twice, its ERP once as csv files and once
 * as an ERPNext site whose every location is a group of warehouses (two leaves and a nested group),
 * with stray bins in a warehouse no location maps. The site is loaded into the machine's MariaDB
 * with the tables ERPNext's doctypes define and read by the erpnext connector at each sync. Judged
 * by the simulator's truth: the ERP's mismatches, causes and sync flags must score as in the csv
 * world, mismatch for mismatch.
 */
const tempDir = useTempDir('stocklens-erpnext-site-');
const worlds: Omit<GenerateOptions, 'outDir'>[] = [23, 5].map((seed) => ({
  seed,
  scale: { skus: 80, locations: 4, days: 7, linesPerHour: 120 },
  breakpoints: { ...BUSY_BREAKPOINTS, unsynced_adjustment: 6, malformed_rows: 0.5 },
}));

interface Built {
  outDir: string;
  db: Database;
  causes: KindScore[];
  flags: SetScore[];
  /** The ERP's mismatched comparisons against the true ones (truth-mismatch.ts). */
  erp: SetScore;
}

async function build(outDir: string, ingest: (db: Database) => Promise<void>): Promise<Built> {
  const config = loadConfig(path.join(outDir, 'stocklens.config.yaml'));
  const db = await Database.open(config.databaseFile);
  await ingest(db);
  const summary = await buildModels(config, db);
  expect(summary.results.filter((result) => result.status !== 'success')).toEqual([]);
  await loadTruthMismatch(db, outDir);
  const erp = await db.one<SetScore>(`
    with truth as (select bucket_at, location_id, sku from main.truth_mismatch where source = 'erp'),
      model as (select bucket_at, location_id, sku from marts.fct_mismatch where source = 'erp')
    select 'erp' as key, (select count(*) from truth)::int as truth, (select count(*) from model)::int as model,
      (select count(*) from truth join model using (bucket_at, location_id, sku))::int as both`);
  return { outDir, db, causes: await scoreCauses(db, outDir), flags: await scoreSyncFlags(db), erp: erp! };
}

const erpMismatches = (db: Database) =>
  db.rows(`
    select bucket_at::varchar as bucket_at, location_id, sku, truth_units::double as truth_units, system_units::double as system_units, probable_cause
    from marts.fct_mismatch where source = 'erp' order by all`);

for (const world of worlds) {
  describe(`the ERP read from a simulated ERPNext site with several warehouses per location (seed ${world.seed})`, () => {
    let admin: mariadb.Connection;
    let database: string;
    let csv: Built;
    let site: Built;
    let syncs: SourceSummary[];

    beforeAll(async () => {
      const csvDir = tempDir();
      await generate({ ...world, outDir: csvDir });
      csv = await build(csvDir, async (db) => {
        await runIngest(loadConfig(path.join(csvDir, 'stocklens.config.yaml')), db);
      });

      const siteDir = tempDir();
      await generate({ ...world, outDir: siteDir, erp: 'erpnext' });
      database = `stocklens_${randomBytes(5).toString('hex')}`;
      const configFile = path.join(siteDir, 'stocklens.config.yaml');
      writeFileSync(configFile, readFileSync(configFile, 'utf8').replace('database: stocklens_erpnext', `database: ${database}`));
      admin = await mariadb.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'test' });
      await admin.query(`create database ${database}`);
      await admin.query(`use ${database}`);
      site = await build(siteDir, async (db) => {
        const config = loadConfig(configFile);
        syncs = await replayErpnextSite(siteDir, admin, config, db);
        await runIngest(config, db, { sources: config.sources.map((source) => source.name).filter((name) => name !== 'erp') });
      });
    }, 300_000);

    afterAll(async () => {
      await admin?.query(`drop database if exists ${database}`);
      await admin?.end();
    });

    it('lands one stock batch per sync, and names the unmapped warehouse of the stray bins once per run', async () => {
      const binFiles = readdirSync(path.join(site.outDir, 'erpnext')).filter((name) => name.startsWith('Bin_'));
      expect(syncs.length).toBe(binFiles.length);
      expect(syncs.every((summary) => summary.status === 'succeeded' && summary.batches === 1 && summary.rejected === 0)).toBe(true);
      const warned = syncs.filter((summary) => summary.warnings?.length);
      expect(warned.length).toBeGreaterThan(0);
      for (const summary of warned) {
        expect(summary.warnings).toEqual([
          `1 ERPNext warehouse with stock maps to no location, so its stock is left out: "${ERPNEXT_UNMAPPED_WAREHOUSE}". Map it (or a group warehouse above) in the source's location_map`,
        ]);
      }
    });

    it("lands the same on_hand per capture, location and SKU as the csv-shaped ERP: each location's warehouses summed", async () => {
      const landed = (db: Database) =>
        db.rows(`select captured_at::varchar as captured_at, location_id, sku, on_hand::double as on_hand from raw.stock_snapshot where source = 'erp' order by all`);
      const fromSite = await landed(site.db);
      expect(fromSite.length).toBeGreaterThan(1000);
      expect(fromSite).toEqual(await landed(csv.db));
    });

    it('finds the same ERP mismatches, with the same causes, as in the csv world', async () => {
      const mismatches = await erpMismatches(site.db);
      expect(mismatches.length).toBeGreaterThan(20);
      expect(mismatches).toEqual(await erpMismatches(csv.db));
    });

    it("scores the ERP's mismatches, unsynced adjustments and sync flags against the truth as in the csv world", () => {
      const adjustments = (built: Built) => built.causes.find((score) => score.kind === 'unsynced_adjustment')!;
      const erpFlags = (built: Built) => built.flags.find((score) => score.key === 'erp')!;
      const adjustment = adjustments(site);
      const flags = rateOf(erpFlags(site));
      const mismatches = rateOf(site.erp);
      console.info(
        `ERPNext site, seed ${world.seed}: erp mismatches precision ${mismatches.precision.toFixed(3)} recall ${mismatches.recall.toFixed(3)} (${site.erp.both}/${site.erp.model}/${site.erp.truth}); unsynced_adjustment recall ${adjustment.recalled}/${adjustment.visible} precision ${adjustment.correct}/${adjustment.labelled}; ` +
          `erp sync flags precision ${flags.precision.toFixed(3)} recall ${flags.recall.toFixed(3)} (${erpFlags(site).both}/${erpFlags(site).model}/${erpFlags(site).truth})`,
      );
      expect(site.erp.truth).toBeGreaterThan(20);
      expect(mismatches.precision).toBeGreaterThanOrEqual(0.95);
      expect(mismatches.recall).toBeGreaterThanOrEqual(0.95);
      expect(site.erp).toEqual(csv.erp);
      expect(adjustment.visible).toBeGreaterThanOrEqual(5);
      expect(adjustment.recalled / adjustment.visible).toBeGreaterThanOrEqual(0.9);
      expect(adjustment.correct / adjustment.labelled).toBeGreaterThanOrEqual(0.9);
      expect(adjustment).toEqual(adjustments(csv));
      expect(flags.precision).toBeGreaterThanOrEqual(0.95);
      expect(flags.recall).toBeGreaterThanOrEqual(0.95);
      expect(erpFlags(site)).toEqual(erpFlags(csv));
    });
  });
}
