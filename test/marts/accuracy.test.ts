import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../core/load-config.ts';
import { Database } from '../../db/database.ts';
import { generate, type GenerateOptions } from '../../fixtures/generate.ts';
import { buildModels } from '../../models/runner/build.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { scoreCancellations, scoreCauses, scoreCausesByLocation, scoreOutages, scoreTruthAts, type KindScore } from './accuracy-report.ts';
import { formatScores, loadOrderTruth, precisionRecall, scoreOversells, scoreStockCancellations, type LocationScore } from './order-line-accuracy.ts';
import { loadTruthMismatch, rateOf, scoreHiddenUnits, scoreSyncFlags, type SetScore } from './truth-mismatch.ts';
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
  {
    // FBA's stock is captured once a day: most of its lines are placed long after the capture they
    // are judged against, while transfers arrive in between. Units lost in the centre that Amazon
    // keeps selling until its next report give FBA stock errors to find.
    name: 'an FBA-heavy fortnight at the default rates, with units lost at FBA',
    options: {
      seed: 8,
      scale: { skus: 120, locations: 4, days: 14, linesPerHour: 300 },
      demandShares: { fba: 0.6, web: 0.3, amazon: 0.08 },
      breakpoints: { fba_lost_units: 12 },
    },
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

    // The truth side comes from the simulator's own files, never from our models
    // (order-line-accuracy.ts): a true oversell is a line sold (its first OMS status is not
    // backordered) that truth/cancellations.csv says was cancelled for want of stock (the true ATS
    // at placement did not cover it, or the pick found the shelf short); a true stock-error
    // cancellation is any line cancelled with a true stock cause. Lines the truth has not settled
    // by the end of the run (still open) are left out and counted.
    describe('oversells and stock-error cancellations against the truth', () => {
      let oversells: LocationScore[];
      let cancellations: LocationScore[];

      beforeAll(async () => {
        await loadOrderTruth(db, outDir);
        oversells = await scoreOversells(db);
        cancellations = await scoreStockCancellations(db);
        console.info(`${scenario.name} (seed ${scenario.options.seed})\n${formatScores('oversell lines', oversells)}\n${formatScores('stock-error cancellations', cancellations)}`);
      });

      it('scores every location, FBA-US included, on lines it placed', () => {
        const locations = config.locations.map((location) => location.id).sort();
        expect(locations).toContain('FBA-US');
        expect(oversells.map((score) => score.location_id)).toEqual(locations);
        expect(cancellations.map((score) => score.location_id)).toEqual(locations);
        expect(oversells.reduce((sum, score) => sum + score.truth, 0)).toBeGreaterThan(20);
        // Where units are lost at FBA, its recall is measured, not only the absence of false alarms.
        if ((scenario.options.breakpoints?.fba_lost_units ?? 0) > 0) {
          const fba = (scores: LocationScore[]) => scores.find((score) => score.location_id === 'FBA-US')!;
          expect(fba(oversells).truth, 'true FBA-US oversells').toBeGreaterThanOrEqual(20);
          expect(fba(cancellations).truth, 'true FBA-US stock-error cancellations').toBeGreaterThanOrEqual(20);
        }
      });

      it('flags oversold lines with precision and recall of at least 0.95 at every location', () => {
        for (const score of oversells) {
          const { precision, recall } = precisionRecall(score);
          expect(precision, `${score.location_id} precision ${score.agreed}/${score.flagged}`).toBeGreaterThanOrEqual(0.95);
          expect(recall, `${score.location_id} recall ${score.agreed}/${score.truth}`).toBeGreaterThanOrEqual(0.95);
        }
      });

      it('finds stock-error cancellations with precision and recall of at least 0.95 at every location', () => {
        for (const score of cancellations) {
          const { precision, recall } = precisionRecall(score);
          expect(precision, `${score.location_id} precision ${score.agreed}/${score.flagged}`).toBeGreaterThanOrEqual(0.95);
          expect(recall, `${score.location_id} recall ${score.agreed}/${score.truth}`).toBeGreaterThanOrEqual(0.95);
        }
      });

      it('never calls a fulfilled line an oversell unless it waited for stock', async () => {
        const lines = await db.one<{ fulfilled_oversells: number; fba_short_fulfilled: number }>(`
          select count(*) filter (where is_oversell and status = 'fulfilled' and not is_stock_delayed)::int as fulfilled_oversells,
            count(*) filter (where location_id = 'FBA-US' and status = 'fulfilled' and location_ats_at_order < quantity)::int as fba_short_fulfilled
          from marts.fct_order_line`);
        expect(lines?.fulfilled_oversells).toBe(0);
        console.info(`${scenario.name}: ${lines?.fba_short_fulfilled} FBA-US lines short by the daily count at placement were fulfilled (not oversells)`);
        // At FBA the daily capture is often short of lines that transfers arriving later in the day
        // covered: the case that used to read as an oversell is there to be judged.
        if ((scenario.options.demandShares?.fba ?? 0) >= 0.5) expect(lines?.fba_short_fulfilled).toBeGreaterThan(20);
      });
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

    // Hidden units, probable causes and sync-priority flags against the simulator's truth: the truth
    // side is written from truth/stock_intervals.csv.gz and truth/incidents.csv (truth-mismatch.ts
    // says how), never from the marts' own inputs, so each figure can fail.
    describe('hidden units, causes and sync flags', () => {
      it('scores at least 0.95 precision and recall per location (and per source for sync flags)', async () => {
        await loadTruthMismatch(db, outDir);
        const hidden = await scoreHiddenUnits(db);
        const causesByLocation = await scoreCausesByLocation(db, outDir);
        const flags = await scoreSyncFlags(db);
        const figure = (score: SetScore) => {
          const { precision, recall } = rateOf(score);
          return `precision ${precision.toFixed(3)} (${score.both}/${score.model})  recall ${recall.toFixed(3)} (${score.both}/${score.truth})`;
        };
        const causes = causesByLocation.map((row) => ({ key: row.location_id, truth: row.visible, model: row.labelled, both: row.recalled, correct: row.correct }));
        const causeFigure = (row: (typeof causes)[number]) =>
          `precision ${(row.model ? row.correct / row.model : 1).toFixed(3)} (${row.correct}/${row.model})  recall ${(row.truth ? row.both / row.truth : 1).toFixed(3)} (${row.both}/${row.truth})`;
        console.info(
          [
            `${scenario.name} (seed ${scenario.options.seed})`,
            ...hidden.map((score) => `  hidden units   ${score.key.padEnd(12)} ${figure(score)}  unit-hours ${score.model_unit_hours} of ${score.truth_unit_hours}`),
            ...causes.map((row) => `  causes         ${row.key.padEnd(12)} ${causeFigure(row)}`),
            ...flags.map((score) => `  sync flags     ${score.key.padEnd(12)} ${figure(score)}`),
          ].join('\n'),
        );
        expect(hidden.map((score) => score.key)).toContain('FBA-US');
        expect(hidden.reduce((sum, score) => sum + score.truth, 0)).toBeGreaterThan(0);
        for (const score of hidden) {
          const { precision, recall } = rateOf(score);
          expect(precision, `hidden units precision at ${score.key}`).toBeGreaterThanOrEqual(0.95);
          expect(recall, `hidden units recall at ${score.key}`).toBeGreaterThanOrEqual(0.95);
        }
        for (const row of causes) {
          if (row.model > 0) expect(row.correct / row.model, `cause precision at ${row.key}`).toBeGreaterThanOrEqual(0.95);
          if (row.truth > 0) expect(row.both / row.truth, `cause recall at ${row.key}`).toBeGreaterThanOrEqual(0.95);
        }
        for (const score of flags) {
          const { precision, recall } = rateOf(score);
          expect(precision, `sync flag precision on ${score.key}`).toBeGreaterThanOrEqual(0.95);
          expect(recall, `sync flag recall on ${score.key}`).toBeGreaterThanOrEqual(0.95);
        }
      }, 120_000);
    });
  });
}
