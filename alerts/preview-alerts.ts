import type { Config } from '../core/load-config.ts';
import type { Database } from '../db/database.ts';
import { withAlertLock } from './alert-lock.ts';
import { ensureAlertTables } from './alert-store.ts';
import { planDigest, type PlannedDigest } from './digest/plan-digest.ts';
import { evaluateOn, type EvaluationSummary } from './evaluate-alerts.ts';
import { planNotifications, type PlannedNotification } from './plan-notifications.ts';

export interface AlertPreview {
  evaluation: EvaluationSummary;
  /** What a round would send once the groups' waits are over, to whom. */
  notifications: PlannedNotification[];
  digest: PlannedDigest | null;
}

/**
 * `stocklens alerts --dry-run`: the real evaluation and planning, inside a transaction that is
 * rolled back, so the preview is exactly what a round would do and leaves no trace.
 */
export async function previewAlerts(config: Config, db: Database, options: { now?: Date } = {}): Promise<AlertPreview> {
  const now = options.now ?? new Date();
  return withAlertLock(db, () =>
    db.withConnection(async (connection) => {
      await ensureAlertTables(connection);
      await connection.run('BEGIN TRANSACTION');
      try {
        const evaluation = await evaluateOn(config, connection, now, { transaction: false });
        const plan = await planNotifications(config, connection, now, { ignoreWaits: true });
        const digest = await planDigest(config, connection, now);
        return { evaluation, notifications: plan.planned, digest };
      } finally {
        await connection.run('ROLLBACK');
      }
    }),
  );
}
