import { startAlerting } from '../alerts/alert-scheduler.ts';
import { causeMessage } from '../core/errors.ts';
import type { Config } from '../core/load-config.ts';
import { logger } from '../core/logger.ts';
import { pipeline } from '../core/pipeline-coordinator.ts';
import type { Database } from '../db/database.ts';
import { acceptBatch } from '../ingest/accept-batch.ts';
import { startIngestSchedules } from '../ingest/scheduler.ts';
import { buildModels, type BuildSummary } from '../models/runner/build.ts';
import { runModelCommand } from '../models/runner/model-command.ts';
import { publishExports } from '../server/exports/publish-exports.ts';
import type { AdminActions } from '../server/routes/admin-routes.ts';

/**
 * What the process that owns the database does besides answering HTTP: land on each
 * source's schedule, rebuild the models when batches landed (incrementally), publish the Parquet
 * exports, and evaluate and deliver alerts after every build.
 */
export function startServingPipeline(config: Config, db: Database): { actions: AdminActions; stop(): void } {
  const alerting = startAlerting(config, db);
  // One model run at a time (the coordinator's contract): a landing during a build queues one more
  // build after it, and a run asked for over HTTP (`stocklens build` while this process runs)
  // takes its turn in the same line, each with its after-build step.
  const queued = <T>(run: () => Promise<T>): Promise<T> => pipeline.modelRunInTurn(run);
  // After a build or retry: the exports and the alerts follow what it published.
  const published = async (build: BuildSummary, reason: string) => {
    await publishExports(config, db);
    await alerting.afterBuild();
    if (build.fullRefreshReason) logger.warn(build.fullRefreshReason);
    if (build.checkpointError) logger.warn({ err: build.checkpointError }, 'checkpoint after the build failed; DuckDB checkpoints once its log passes checkpoint_threshold');
    logger.info({ reason, ok: build.ok, publishedMs: build.publishedMs, checkpointMs: build.checkpointMs }, 'models rebuilt, exports published, alerts evaluated');
  };
  const refresh = (reason: string) =>
    queued(async () => {
      try {
        await published(await buildModels(config, db), reason);
      } catch (error) {
        logger.error({ err: error, reason }, `refresh after ${reason} failed: ${causeMessage(error)}`);
      }
    });
  const schedules = startIngestSchedules(config, db, { onLanded: () => refresh('new batches landed') });
  const runModels: AdminActions['runModels'] = (command, options) =>
    queued(async () => {
      const summary = await runModelCommand(config, db, command, options);
      if (summary && command !== 'test') await published(summary, `stocklens ${command}`);
      return summary;
    });
  return {
    actions: {
      acceptBatch: async (batchId) => {
        const accepted = await acceptBatch(db, batchId);
        await refresh(`batch ${batchId} accepted`);
        return accepted;
      },
      runAlerts: (now) => alerting.afterBuild(now),
      replayAlerts: (times) => alerting.replay(times),
      // Through the schedule's own runner: a source already landing is joined, not landed twice.
      ingest: async (sources) => {
        const summaries = await Promise.all((sources ?? schedules.sources).filter((name) => schedules.sources.includes(name)).map((name) => schedules.runSource(name, 'manual')));
        return summaries.filter((summary) => summary !== undefined);
      },
      runModels,
    },
    stop() {
      alerting.stop();
      void schedules.stop();
    },
  };
}
