import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../core/load-config.ts';
import { Database } from '../../db/database.ts';
import { generate, type GenerateOptions } from '../../fixtures/generate.ts';
import { buildModels } from '../../models/runner/build.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { scoreCancellations, scoreCauses, scoreOutages, scoreTruthAts, type KindScore } from './accuracy-report.ts';
import { runIngest } from '../../ingest/run-ingest.ts';
import { runModelTests } from './model-tests.ts';

/**
 * The accuracy gate against the simulator's truth, fixed seeds, small scales so each
 * scenario lands and builds in well under a minute.
 */
const scenarios: { name: string; options: Omit<GenerateOptions, 'outDir'> }[] = [
  {
    name: 'a busy fortnight with every breakpoint frequent',
    options: {
      seed: 7,
      scale: { skus: 150, locations: 4, days: 14, linesPerHour: 400 },
      breakpoints: { sync_lag: 3, marketplace_lag: 3, unsynced_adjustment: 2, transfer_not_reflected: 1.5, return_before_qc: 1.5, double_deduction: 1.5, reservation_ignored: 1.5 },
    },
  },
  {
    name: 'a marketplace-heavy fortnight on another seed',
    options: {
      seed: 11,
      scale: { skus: 120, locations: 5, days: 14, linesPerHour: 300 },
      breakpoints: { marketplace_lag: 4, double_deduction: 3, sync_lag: 1, unsynced_adjustment: 1, transfer_not_reflected: 1, return_before_qc: 1, reservation_ignored: 1, outage: 0.1 },
    },
  },
  {
    name: 'the demo network at its default rates with frequent outages',
    options: { seed: 3, scale: 'demo', weeks: 2, breakpoints: { outage: 0.3, double_deduction: 1, reservation_ignored: 1 } },
  },
];

const tempDir = useTempDir('stocklens-accuracy-');

for (const scenario of scenarios) {
  describe(`accuracy on ${scenario.name}`, () => {
    let db: Database;
    let config: Config;
    let outDir: string;
    let causes: KindScore[];

    beforeAll(async () => {
      outDir = tempDir();
      await generate({ ...scenario.options, outDir });
      config = loadConfig(`${outDir}/stocklens.config.yaml`);
      db = await Database.open(config.databaseFile);
      // Through the real connectors and landing, exactly as `stocklens ingest` lands the files.
      await runIngest(config, db);
      const summary = await buildModels(config, db);
      expect(summary.results.filter((result) => result.status !== 'success')).toEqual([]);
      causes = await scoreCauses(db, outDir);
      console.info(`${scenario.name}\n${causes.map((c) => `  ${c.kind.padEnd(24)} recall ${c.recalled}/${c.visible}  precision ${c.correct}/${c.labelled}`).join('\n')}`);
    }, 180_000);

    it("gives the truth source's ATS equal to the simulator's true ATS at every location, SKU and captured bucket", async () => {
      const scores = await scoreTruthAts(db);
      console.info(`${scenario.name}: truth ATS checked ${scores.reduce((n, s) => n + s.checked, 0)}, negative on-hand flagged ${scores.reduce((n, s) => n + s.flagged, 0)}`);
      expect(scores.length).toBeGreaterThanOrEqual(5);
      for (const score of scores) {
        expect(score.checked, score.location_id).toBeGreaterThan(0);
        expect(score.wrong, score.location_id).toBe(0);
      }
    });

    it('finds each injected breakpoint kind with recall and precision of at least 0.9', () => {
      const report = causes.map((score) => ({ ...score, recall: score.recalled / score.visible, precision: score.correct / score.labelled }));
      for (const score of report) {
        if (score.visible === 0) continue;
        expect(score.recall, `${score.kind} recall ${score.recalled}/${score.visible}`).toBeGreaterThanOrEqual(0.9);
        expect(score.precision, `${score.kind} precision ${score.correct}/${score.labelled}`).toBeGreaterThanOrEqual(0.9);
      }
      expect(report.filter((score) => score.visible >= 5).length).toBeGreaterThanOrEqual(4);
    });

    it('classifies stock-error cancellations: confirmed recall 0.95, inferred 0.8, precision 0.9', async () => {
      const cells = await scoreCancellations(db);
      const count = (truth: (value: string) => boolean, model: (value: string) => boolean) =>
        cells.filter((cell) => truth(cell.truth) && model(cell.model)).reduce((sum, cell) => sum + cell.lines, 0);
      const is = (name: string) => (value: string) => value === name;
      const isStock = (value: string) => value === 'confirmed' || value === 'inferred';
      const any = () => true;
      expect(count(is('confirmed'), any)).toBeGreaterThan(0);
      expect(count(is('confirmed'), is('confirmed')) / count(is('confirmed'), any)).toBeGreaterThanOrEqual(0.95);
      if (count(is('inferred'), any) >= 5) expect(count(is('inferred'), is('inferred')) / count(is('inferred'), any)).toBeGreaterThanOrEqual(0.8);
      expect(count(isStock, isStock) / count(any, isStock)).toBeGreaterThanOrEqual(0.9);
    });

    it("passes every mart's data tests and the singular tests", async () => {
      expect(await runModelTests(config, db)).toEqual([]);
    });

    it('reports no mismatch for a source during its outage, a freshness exception instead', async () => {
      const outages = await scoreOutages(db);
      // A scenario that injects outages must have some that outlast a source's staleness allowance.
      if ((scenario.options.breakpoints?.outage ?? 0) > 0) expect(outages.filter((outage) => outage.stale_buckets > 0).length).toBeGreaterThan(0);
      for (const outage of outages) {
        expect(outage.reported_stale, `${outage.incident_id} ${outage.source}`).toBe(outage.stale_buckets);
        expect(outage.mismatches, `${outage.incident_id} ${outage.source}`).toBe(0);
      }
    });
  });
}
