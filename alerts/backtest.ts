import type { Config } from '../core/load-config.ts';
import { causeMessage } from '../core/errors.ts';
import { sql, type Connection, type Database } from '../db/database.ts';
import { alertKey } from './alert.ts';
import { latestCapture } from './data-clock.ts';
import { judgeMismatchDay } from './rules/mismatch-rate-rule.ts';
import { oversellRule, stockCancellationsRule } from './rules/order-line-rules.ts';
import { addDays, localDay } from './rules/rule-context.ts';
import { runRule } from './rules/run-rule.ts';

export interface BacktestRow {
  rule: string;
  kind: string;
  /** Days the rule was judged on; 0 for rules that only know the current state. */
  days: number;
  /** Days on which at least one alert of the rule fired. */
  daysFiring: number;
  /** Alerts over all days (one per entity and day). */
  alertDays: number;
  /** Episodes: an entity firing on a day after a day it did not. */
  episodes: number;
  entities: string[];
  note: string;
}

/**
 * How often each rule would have fired over the last `days` days, judged day by day as of each
 * day's end, up to `now` (default: the data's latest capture, or the wall clock if that is later
 * than the data; replayed data ends in the past, and days after it have nothing to judge). Rules over history (mismatch rate, oversell, stock cancellations) are replayed;
 * rules over current state (stale source, held batch, sync priority) report what fires now.
 */
export async function backtestAlerts(config: Config, db: Database, options: { days: number; now?: Date }): Promise<BacktestRow[]> {
  const latest = options.now ? undefined : await latestCapture(db);
  const now = options.now ?? (latest && latest < new Date() ? latest : new Date());
  return db.withConnection(async (connection) => {
    const lastDay = localDay(now, config.timezone);
    const days = Array.from({ length: options.days }, (_, index) => addDays(lastDay, index - options.days + 1));
    const results: BacktestRow[] = [];
    for (const rule of config.alerts.rules) {
      const row: BacktestRow = { rule: rule.name, kind: rule.kind, days: 0, daysFiring: 0, alertDays: 0, episodes: 0, entities: [], note: '' };
      try {
        if (rule.kind === 'mismatch_rate' || rule.kind === 'oversell' || rule.kind === 'stock_cancellations') {
          const entities = new Set<string>();
          let firingBefore = new Set<string>();
          for (const day of days) {
            const end = await endOfDay(connection, config, day);
            const context = { config, connection, now: end > now ? now : end };
            let keys: string[];
            if (rule.kind === 'mismatch_rate') {
              const verdicts = await judgeMismatchDay({ ...context, rule }, day);
              keys = verdicts.filter((verdict) => verdict.judgement.fires).map((verdict) => alertKey(rule.name, { location: verdict.location_id, source: verdict.source }));
            } else {
              const candidates = rule.kind === 'oversell' ? await oversellRule({ ...context, rule }) : await stockCancellationsRule({ ...context, rule });
              keys = candidates.map((candidate) => alertKey(candidate.rule, candidate.entity));
            }
            row.days++;
            if (keys.length > 0) row.daysFiring++;
            row.alertDays += keys.length;
            row.episodes += keys.filter((key) => !firingBefore.has(key)).length;
            keys.forEach((key) => {
              entities.add(key.slice(rule.name.length + 1));
            });
            firingBefore = new Set(keys);
          }
          row.entities = [...entities].sort();
          row.note = `replayed day by day as of each day's end`;
        } else {
          const candidates = await runRule({ config, connection, rule, now });
          row.alertDays = candidates.length;
          row.entities = candidates.map((candidate) => alertKey(candidate.rule, candidate.entity).slice(rule.name.length + 1)).sort();
          row.note = 'current state only (no history to replay)';
        }
      } catch (error) {
        row.note = `could not run: ${causeMessage(error)}`;
      }
      results.push(row);
    }
    return results;
  });
}

/** The instant a local day ends (midnight of the next day in the config's time zone). */
async function endOfDay(connection: Connection, config: Config, day: string): Promise<Date> {
  const row = await connection.one(sql`select timezone(${config.timezone}, (${day}::date + 1)::timestamp) as at`);
  return new Date(String(row!.at));
}

