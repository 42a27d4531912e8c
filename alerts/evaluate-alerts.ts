import { causeMessage } from '../core/errors.ts';
import type { Config } from '../core/load-config.ts';
import { parseDurationMs } from '../core/duration.ts';
import { logger } from '../core/logger.ts';
import type { Connection, Database } from '../db/database.ts';
import { alertKey, type AlertCandidate } from './alert.ts';
import { withAlertLock } from './alert-lock.ts';
import { ensureAlertTables, insertFiring, markResolved, readAlertStates, refreshFiring, setSuppression } from './alert-store.ts';
import { inhibitions } from './inhibition.ts';
import { runRule } from './rules/run-rule.ts';
import { activeSilences, silencing } from './silences.ts';

export interface EvaluationSummary {
  evaluatedAt: string;
  /** Keys of alerts firing now (including suppressed ones). */
  firing: string[];
  /** Keys that started a new episode in this evaluation. */
  started: string[];
  resolved: string[];
  /** Alert key → why it is not notified (`silence:<id>` or `inhibited by <key>`). */
  suppressed: Record<string, string>;
  /** Rules that could not run (a missing mart, a failed query); their alerts keep their state. */
  errors: { rule: string; message: string }[];
}

/**
 * Runs every rule against the marts and records each alert's state: new alerts start firing with
 * their first-seen time, alerts no rule reports any more are resolved. Meant to run after every
 * build; delivery is `deliverDue`'s job.
 */
export async function evaluateAlerts(config: Config, db: Database, options: { now?: Date } = {}): Promise<EvaluationSummary> {
  const now = options.now ?? new Date();
  return withAlertLock(db, () => db.withConnection((connection) => evaluateOn(config, connection, now)));
}

/** The evaluation on one connection; `transaction: false` when the caller holds one (dry runs roll it back). */
export async function evaluateOn(config: Config, connection: Connection, now: Date, options: { transaction?: boolean } = {}): Promise<EvaluationSummary> {
  await ensureAlertTables(connection);
  const candidates: AlertCandidate[] = [];
  const errors: EvaluationSummary['errors'] = [];
  for (const rule of config.alerts.rules) {
    try {
      candidates.push(...(await runRule({ config, connection, rule, now })));
    } catch (error) {
      errors.push({ rule: rule.name, message: causeMessage(error) });
      logger.warn({ rule: rule.name, err: error }, 'alert rule failed; its alerts keep their state');
    }
  }
  const failed = new Set(errors.map((error) => error.rule));
  const configured = new Set(config.alerts.rules.map((rule) => rule.name));
  const muted = inhibitions(config, candidates);
  const silences = await activeSilences(config, connection, now);
  const nowIso = now.toISOString();
  const summary: EvaluationSummary = { evaluatedAt: nowIso, firing: [], started: [], resolved: [], suppressed: {}, errors };
  const keepFiringForMs = parseDurationMs(config.alerts.keep_firing_for)!;
  const inTransaction = (fn: () => Promise<void>) => (options.transaction === false ? fn() : connection.transaction(fn));
  await inTransaction(async () => {
    const previous = new Map((await readAlertStates(connection)).map((state) => [state.key, state]));
    const seen = new Set<string>();
    for (const candidate of candidates) {
      const key = alertKey(candidate.rule, candidate.entity);
      if (seen.has(key)) continue;
      seen.add(key);
      const before = previous.get(key);
      if (!before || before.status === 'resolved') {
        await insertFiring(connection, key, candidate, nowIso);
        summary.started.push(key);
      } else {
        await refreshFiring(connection, key, candidate, nowIso);
      }
      const silence = silencing(silences, candidate.labels);
      const suppressedBy = silence ? `silence:${silence.id}` : muted.has(key) ? `inhibited by ${muted.get(key)}` : null;
      await setSuppression(connection, key, suppressedBy);
      if (suppressedBy) summary.suppressed[key] = suppressedBy;
      summary.firing.push(key);
    }
    for (const state of previous.values()) {
      if (state.status !== 'firing' || seen.has(state.key)) continue;
      if (failed.has(state.rule) && configured.has(state.rule)) continue;
      if (configured.has(state.rule) && now.getTime() - new Date(state.lastSeenAt).getTime() < keepFiringForMs) {
        summary.firing.push(state.key);
        if (state.suppressedBy) summary.suppressed[state.key] = state.suppressedBy;
        continue;
      }
      await markResolved(connection, state.key, nowIso);
      summary.resolved.push(state.key);
    }
  });
  return summary;
}
