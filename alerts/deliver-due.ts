import type { Config } from '../core/load-config.ts';
import type { Database } from '../db/database.ts';
import { withAlertLock } from './alert-lock.ts';
import { ensureAlertTables } from './alert-store.ts';
import { planDigest, type PlannedDigest } from './digest/plan-digest.ts';
import { planLeadDigests } from './digest/plan-lead-digest.ts';
import { deliverOutbox, type DeliveryReport } from './outbox.ts';
import { planNotifications, type PlanResult } from './plan-notifications.ts';

export interface DeliverySummary extends DeliveryReport {
  planned: PlanResult['planned'];
  digest: PlannedDigest | null;
  leadDigests: PlannedDigest[];
  /** When a group next becomes due; the caller's timer (or the CLI's wait) calls again then. */
  nextDueAt: Date | null;
}

/**
 * One delivery round: groups whose wait is over become outbox rows (with the digest when its
 * schedule says so), then every due outbox row is sent. Safe to call often (a timer in the
 * serving process) and after a crash (interrupted sends are recovered first).
 */
export async function deliverDue(config: Config, db: Database, options: { now?: Date } = {}): Promise<DeliverySummary> {
  const now = options.now ?? new Date();
  return withAlertLock(db, () =>
    db.withConnection(async (connection) => {
      await ensureAlertTables(connection);
      const plan = await connection.transaction(() => planNotifications(config, connection, now));
      const digest = await connection.transaction(() => planDigest(config, connection, now));
      const leadDigests = await connection.transaction(() => planLeadDigests(config, connection, now));
      const delivery = await deliverOutbox(config, connection, now);
      return { ...delivery, planned: plan.planned, digest, leadDigests, nextDueAt: plan.nextDueAt };
    }),
  );
}
