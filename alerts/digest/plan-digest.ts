import { CronExpressionParser } from 'cron-parser';
import type { Config } from '../../core/load-config.ts';
import { sql, type Connection, type Row } from '../../db/database.ts';
import { readAlertStates } from '../alert-store.ts';
import { enqueue } from '../outbox.ts';
import { addDays, localDay } from '../rules/rule-context.ts';
import { renderDigestEmail, type LocationErrors, type WeeklyHealthRow } from './render-digest-email.ts';

export interface PlannedDigest {
  idempotencyKey: string;
  to: string[];
  subject: string;
  scheduledAt: string;
}

/** A slot missed by more than this (the process was down all Monday) is skipped, not sent late. */
const catchUpMs = 24 * 3_600_000;

/**
 * The CEO's weekly digest: due at each slot of `alerts.digest.schedule` in the config's time
 * zone (Monday 07:00 by default). Each slot is recorded in alerts.digests together with its
 * outbox row, so a slot is sent once however often delivery runs.
 */
export async function planDigest(config: Config, connection: Connection, now: Date, options: { force?: boolean } = {}): Promise<PlannedDigest | null> {
  const { recipients, schedule } = config.alerts.digest;
  if (recipients.length === 0) return null;
  // The slot due now is the schedule's latest time at or before now. node-cron (the scheduler)
  // only fires and tells its next run, not a past one, hence cron-parser here. Its prev() is
  // strictly before its current date: step a second past now so a round at 07:00:00 finds 07:00.
  const slot = CronExpressionParser.parse(schedule, { currentDate: new Date(now.getTime() + 1000), tz: config.timezone }).prev().toDate();
  if (!options.force && now.getTime() - slot.getTime() > catchUpMs) return null;
  const scheduledAt = slot.toISOString();
  const done = await connection.one(sql`select 1 as found from alerts.digests where scheduled_at = ${scheduledAt}::timestamptz`);
  if (done && !options.force) return null;
  const previous = await connection.one(sql`select max(scheduled_at) as at from alerts.digests where scheduled_at < ${scheduledAt}::timestamptz`);
  const since = previous?.at ? String(previous.at) : new Date(slot.getTime() - 7 * 86_400_000).toISOString();
  const health = await weeklyHealth(config, connection, slot);
  const states = await readAlertStates(connection);
  const email = renderDigestEmail(config, { scheduledAt, since, recipients, ...health, states });
  const idempotencyKey = `digest:${scheduledAt}`;
  await enqueue(config, connection, { idempotencyKey, kind: 'digest', receiver: 'digest', to: recipients, email }, now);
  if (!done) await connection.run(sql`insert into alerts.digests values (${scheduledAt}::timestamptz, ${now.toISOString()}::timestamptz, ${idempotencyKey})`);
  return { idempotencyKey, to: recipients, subject: email.subject, scheduledAt };
}

/** The last complete week before the slot and the one before it (for week-over-week deltas), plus the trend. */
async function weeklyHealth(config: Config, connection: Connection, slot: Date) {
  const exists = await connection.relationKind('marts', 'rpt_weekly_health');
  if (!exists) return { week: null, current: [], previous: [], trend: [], errors: [], errorsBefore: [] };
  const lastCompleteWeekStart = addDays(localDay(slot, config.timezone), -7);
  const weeks = await connection.rows(sql`
    select distinct cast(week as varchar) as week from marts.rpt_weekly_health where week <= ${lastCompleteWeekStart}::date order by week desc limit 12`);
  if (weeks.length === 0) return { week: null, current: [], previous: [], trend: [], errors: [], errorsBefore: [] };
  const read = async (week: string | undefined) =>
    week === undefined
      ? []
      : (await connection.rows(sql`
          select location_id, total_units, ats_units, ats_share, mismatch_rate, oversell_lines, stock_cancellations, stock_cancel_rate,
            stock_delayed_lines, lost_revenue, hidden_units
          from marts.rpt_weekly_health where week = ${week}::date order by location_id = 'ALL' desc, location_id`)).map(toHealthRow);
  const trend = await connection.rows(sql`
    select cast(week as varchar) as week, mismatch_rate from marts.rpt_weekly_health
    where location_id = 'ALL' and week <= ${lastCompleteWeekStart}::date order by week desc limit 12`);
  const week = String(weeks[0].week);
  return {
    week,
    current: await read(week),
    previous: await read(weeks[1] ? String(weeks[1].week) : undefined),
    trend: trend.reverse().map((row) => ({ day: String(row.week), value: Number(row.mismatch_rate ?? 0) })),
    errors: await errorsByLocation(connection, week),
    errorsBefore: await errorsByLocation(connection, addDays(week, -7)),
  };
}

/** Mismatched comparisons per location over the week starting `week`, most first: which warehouse created the most errors. */
async function errorsByLocation(connection: Connection, week: string): Promise<LocationErrors[]> {
  if (!(await connection.relationKind('marts', 'agg_mismatch_rate'))) return [];
  const rows = await connection.rows(sql`
    select location_id, sum(mismatched)::double as mismatched from marts.agg_mismatch_rate
    where day >= ${week}::date and day < ${addDays(week, 7)}::date group by location_id having sum(mismatched) > 0 order by mismatched desc, location_id`);
  return rows.map((row) => ({ location_id: String(row.location_id), mismatched: Number(row.mismatched) }));
}

function toHealthRow(row: Row): WeeklyHealthRow {
  const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    location_id: String(row.location_id),
    total_units: number(row.total_units),
    ats_units: number(row.ats_units),
    ats_share: number(row.ats_share),
    mismatch_rate: number(row.mismatch_rate),
    oversell_lines: number(row.oversell_lines),
    stock_cancellations: number(row.stock_cancellations),
    stock_cancel_rate: number(row.stock_cancel_rate),
    stock_delayed_lines: number(row.stock_delayed_lines),
    lost_revenue: number(row.lost_revenue),
    hidden_units: number(row.hidden_units),
  };
}
