import cron, { type ScheduledTask } from 'node-cron';
import type { SourceConfig } from '../core/config-schema.ts';
import type { Config } from '../core/load-config.ts';
import { logger } from '../core/logger.ts';
import { pipeline } from '../core/pipeline-coordinator.ts';
import { sql, type Database } from '../db/database.ts';
import { ensureLandingSchema } from './ensure-schema.ts';
import { backoffDelayMs } from '../core/backoff.ts';
import { retryPolicyFor } from './retry.ts';
import { runIngest, type IngestTrigger, type SourceSummary } from './run-ingest.ts';

export interface SchedulerOptions {
  /** Called after batches landed (coalesced: one call at a time, one more if batches landed meanwhile). */
  onLanded?: (summaries: SourceSummary[]) => Promise<void> | void;
  /** Skip the catch-up runs at start (tests that drive runs themselves). */
  catchUp?: boolean;
  sleep?: (ms: number) => Promise<void>;
}

export interface IngestScheduler {
  /** The sources it runs: every configured one that pulls (a webhook source is pushed to instead). */
  readonly sources: string[];
  /** Runs one source now, with the retries of a scheduled run; resolves with its last attempt. */
  runSource(name: string, trigger?: IngestTrigger): Promise<SourceSummary | undefined>;
  /** Resolves when the catch-up runs of the start are done. */
  readonly caughtUp: Promise<void>;
  stop(): Promise<void>;
}

/**
 * The serving process's ingest clock: one node-cron task per pulling source with
 * `noOverlap`, transient failures retried with capped exponential backoff and jitter (permanent
 * ones not), every attempt in `ingest.runs`, and one catch-up run at start for each source whose
 * last success is older than its schedule's interval, since node-cron does not replay missed runs.
 */
export function startIngestSchedules(config: Config, db: Database, options: SchedulerOptions = {}): IngestScheduler {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const pulling = config.sources.filter((source) => source.connector !== 'shopify-webhook');
  const running = new Map<string, Promise<SourceSummary | undefined>>();
  let stopped = false;

  const runSource = (name: string, trigger: IngestTrigger = 'schedule'): Promise<SourceSummary | undefined> => {
    const inFlight = running.get(name);
    if (inFlight) return inFlight;
    const source = pulling.find((entry) => entry.name === name);
    if (!source) return Promise.reject(new Error(`no pulling source named ${name}`));
    const run = runWithRetries(source, trigger).finally(() => running.delete(name));
    running.set(name, run);
    return run;
  };

  async function runWithRetries(source: SourceConfig, trigger: IngestTrigger): Promise<SourceSummary | undefined> {
    const policy = retryPolicyFor(source);
    for (let attempt = 1; !stopped; attempt++) {
      const [summary] = await runIngest(config, db, { sources: [source.name], trigger, attempt });
      if (summary.status === 'succeeded' || !summary.transient || attempt >= policy.attempts) {
        if (summary.status === 'failed') logger.error({ source: source.name, attempt, error: summary.error }, 'ingest run failed; next try at the next schedule');
        return summary;
      }
      const delayMs = backoffDelayMs(attempt, policy);
      logger.warn({ source: source.name, attempt, delayMs: Math.round(delayMs), error: summary.error }, 'ingest run failed transiently; retrying');
      await sleep(delayMs);
    }
    return undefined;
  }

  const tasks: ScheduledTask[] = pulling.map((source) =>
    cron.schedule(source.schedule, () => runSource(source.name, 'schedule'), { name: `ingest:${source.name}`, noOverlap: true, timezone: config.timezone }),
  );

  // Model builds after landings: never two at once, and batches landed during a build get one more.
  const builds = options.onLanded ? pipeline.afterLandings((summaries) => options.onLanded!(summaries as SourceSummary[])) : undefined;

  const caughtUp = options.catchUp === false ? Promise.resolve() : catchUp();
  async function catchUp(): Promise<void> {
    await ensureLandingSchema(db);
    for (const [index, source] of pulling.entries()) {
      if (stopped) return;
      const intervalMs = intervalOf(tasks[index]);
      const last = await db.one<{ at: string | null }>(sql`select max(started_at) as at from ingest.runs where source = ${source.name} and status = 'succeeded'`);
      const lastMs = last?.at ? Date.parse(last.at) : undefined;
      if (lastMs === undefined || Date.now() - lastMs > intervalMs) await runSource(source.name, 'catch-up');
    }
  }

  return {
    sources: pulling.map((source) => source.name),
    runSource,
    caughtUp,
    async stop() {
      stopped = true;
      for (const task of tasks) await task.destroy();
      await Promise.allSettled([...running.values(), builds?.stop()]);
    },
  };
}

/** The time between a schedule's next two runs: how old a success may be before a catch-up. */
function intervalOf(task: ScheduledTask): number {
  const [first, second] = task.getNextRuns(2);
  return first && second ? second.getTime() - first.getTime() : 60 * 60_000;
}
