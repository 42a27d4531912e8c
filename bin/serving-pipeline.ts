import { startAlerting } from '../alerts/alert-scheduler.ts';
import { causeMessage } from '../core/errors.ts';
import type { Config } from '../core/load-config.ts';
import { logger } from '../core/logger.ts';
import type { Database } from '../db/database.ts';
import { acceptBatch } from '../ingest/accept-batch.ts';
import { startIngestSchedules } from '../ingest/scheduler.ts';
import { buildModels } from '../models/runner/build.ts';
import { runModelCommand } from '../models/runner/model-command.ts';
import { publishExports } from '../server/exports/publish-exports.ts';
import type { AdminActions } from '../server/routes/admin-routes.ts';

/**
 * What the process that owns the database does besides answering HTTP (DESIGN §2): land on each
 * source's schedule, rebuild the models when batches landed (incrementally), publish the Parquet
 * exports, and evaluate and deliver alerts after every build.
 */
export function startServingPipeline(config: Config, db: Database): { actions: AdminActions; stop(): void } {
  const alerting = startAlerting(config, db);
  let refreshing: Promise<void> = Promise.resolve();
  // One refresh at a time: a landing during a build queues one more build after it, never two at once.
  const refresh = (reason: string) => {
    refreshing = refreshing.then(async () => {
      try {
        const build = await buildModels(config, db);
        await publishExports(config, db);
        await alerting.afterBuild();
        if (build.fullRefreshReason) logger.warn(build.fullRefreshReason);
        if (build.checkpointError) logger.warn({ err: build.checkpointError }, 'checkpoint after the build failed; DuckDB checkpoints once its log passes checkpoint_threshold');
        logger.info({ reason, ok: build.ok, publishedMs: build.publishedMs, checkpointMs: build.checkpointMs }, 'models rebuilt, exports published, alerts evaluated');
      } catch (error) {
        logger.error({ err: error, reason }, `refresh after ${reason} failed: ${causeMessage(error)}`);
      }
    });
    return refreshing;
  };
  const schedules = startIngestSchedules(config, db, { onLanded: () => refresh('new batches landed') });
  // A build asked for over HTTP (`stocklens build` while this process runs) takes its turn after
  // the refreshes queued before it; a build or retry then publishes and alerts like they do.
  const runModels: AdminActions['runModels'] = (command, options) => {
    const run = refreshing.then(async () => {
      const summary = await runModelCommand(config, db, command, options);
      if (command !== 'test' && summary?.ok) {
        await publishExports(config, db);
        await alerting.afterBuild();
      }
      return summary;
    });
    refreshing = run.then(() => undefined, () => undefined);
    return run;
  };
  return {
    actions: {
      acceptBatch: async (batchId) => {
        const accepted = await acceptBatch(db, batchId);
        await refresh(`batch ${batchId} accepted`);
        return accepted;
      },
      runAlerts: () => alerting.afterBuild(),
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
