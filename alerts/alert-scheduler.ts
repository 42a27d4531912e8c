import { parseDurationMs } from '../core/duration.ts';
import { causeMessage } from '../core/errors.ts';
import type { Config } from '../core/load-config.ts';
import { logger } from '../core/logger.ts';
import type { Database } from '../db/database.ts';
import { deliverDue } from './deliver-due.ts';
import { evaluateAlerts, type EvaluationSummary } from './evaluate-alerts.ts';

/**
 * For the serving process: `afterBuild` evaluates the rules (call it after every successful
 * build), and a timer runs delivery rounds so that group_wait, group_interval, retries and the
 * digest's schedule happen without a build. Rounds are serialised with evaluations per database.
 */
export function startAlerting(config: Config, db: Database, options: { everyMs?: number } = {}) {
  const everyMs = options.everyMs ?? 10_000;
  const round = () =>
    deliverDue(config, db).catch((error) => {
      logger.error({ err: error }, `alert delivery round failed: ${causeMessage(error)}`);
    });
  const timer = setInterval(() => void round(), everyMs);
  timer.unref();
  return {
    async afterBuild(now = new Date()): Promise<EvaluationSummary> {
      const summary = await evaluateAlerts(config, db, { now });
      await round();
      return summary;
    },
    /**
     * Evaluates and delivers as of each instant in turn, as if this process had run then, with
     * each round's group_wait over: replayed data (the demo) shows alerts firing and resolving.
     */
    async replay(times: Date[]): Promise<void> {
      const waitMs = parseDurationMs(config.alerts.group_wait)! + 1_000;
      for (const at of times) {
        await evaluateAlerts(config, db, { now: at });
        await deliverDue(config, db, { now: new Date(at.getTime() + waitMs) });
      }
    },
    stop(): void {
      clearInterval(timer);
    },
  };
}
