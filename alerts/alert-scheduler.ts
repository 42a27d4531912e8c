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
    stop(): void {
      clearInterval(timer);
    },
  };
}
