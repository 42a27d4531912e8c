import { CronExpressionParser } from 'cron-parser';
import type { Config } from '../../core/load-config.ts';
import { sql, type Connection } from '../../db/database.ts';
import { readAlertStates } from '../alert-store.ts';
import { enqueue } from '../outbox.ts';
import { leadReceiver, receiversOf, routeAlert, scopeAlert } from '../routing.ts';
import type { PlannedDigest } from './plan-digest.ts';
import { renderLeadDigest, type LeadWeek } from './render-lead-digest.ts';

/** A slot missed by more than this is skipped, not sent late (as the CEO's digest). */
const catchUpMs = 12 * 3_600_000;
const dayMs = 86_400_000;

/**
 * The leads' daily digest, for the locations that opted in (`alerts.lead_digest.locations`): at
 * each slot of its schedule, the lead's open exceptions, what cleared since the slot before, and
 * the location's mismatch rate and stock-error cancellations over the last 7 days against the 7
 * before. Keyed `lead-digest:<location>:<slot>` in the outbox, so a slot is sent once.
 */
export async function planLeadDigests(config: Config, connection: Connection, now: Date): Promise<PlannedDigest[]> {
  const { schedule, locations } = config.alerts.lead_digest;
  if (locations.length === 0) return [];
  const slots = CronExpressionParser.parse(schedule, { currentDate: new Date(now.getTime() + 1000), tz: config.timezone });
  const slot = slots.prev().toDate();
  const previousSlot = slots.prev().toDate();
  if (now.getTime() - slot.getTime() > catchUpMs) return [];
  const receivers = receiversOf(config);
  const states = await readAlertStates(connection);
  const planned: PlannedDigest[] = [];
  for (const location of locations) {
    const receiver = receivers.get(leadReceiver(location));
    if (!receiver) continue;
    const idempotencyKey = `lead-digest:${location}:${slot.toISOString()}`;
    const done = await connection.one(sql`select 1 as found from alerts.outbox where idempotency_key = ${idempotencyKey}`);
    if (done) continue;
    const mine = states
      .filter((state) => routeAlert(config, state.labels).includes(receiver.name))
      .map((state) => scopeAlert(receiver, state))
      .filter((state) => state !== undefined);
    const email = renderLeadDigest(config, {
      receiver,
      location,
      scheduledAt: slot.toISOString(),
      since: previousSlot.toISOString(),
      open: mine.filter((state) => state.status === 'firing' && state.suppressedBy === null),
      cleared: mine.filter((state) => state.status === 'resolved' && (state.resolvedAt ?? '') > previousSlot.toISOString()),
      week: await lastTwoWeeks(connection, location, slot),
    });
    await enqueue(config, connection, { idempotencyKey, kind: 'digest', receiver: receiver.name, to: receiver.to, email }, now);
    planned.push({ idempotencyKey, to: receiver.to, subject: email.subject, scheduledAt: slot.toISOString() });
  }
  return planned;
}

/** The location's mismatch rate per day over the 14 days to the slot, and its stock-error cancellations per 7 days. */
async function lastTwoWeeks(connection: Connection, location: string, slot: Date): Promise<LeadWeek> {
  const from = new Date(slot.getTime() - 14 * dayMs);
  const middle = new Date(slot.getTime() - 7 * dayMs);
  const days = (await connection.relationKind('marts', 'agg_mismatch_rate'))
    ? await connection.rows(sql`
        select cast(day as varchar) as day, sum(compared)::double as compared, sum(mismatched)::double as mismatched from marts.agg_mismatch_rate
        where location_id = ${location} and day >= ${from.toISOString()}::timestamptz::date and day < ${slot.toISOString()}::timestamptz::date
        group by day order by day`)
    : [];
  const rate = (rows: typeof days) => {
    const compared = rows.reduce((sum, row) => sum + Number(row.compared), 0);
    return compared > 0 ? rows.reduce((sum, row) => sum + Number(row.mismatched), 0) / compared : null;
  };
  const recent = days.filter((row) => String(row.day) >= middle.toISOString().slice(0, 10));
  const before = days.filter((row) => String(row.day) < middle.toISOString().slice(0, 10));
  const cancellations = (await connection.relationKind('marts', 'fct_order_line'))
    ? await connection.one(sql`
        select count(*) filter (where placed_at > ${middle.toISOString()}::timestamptz)::double as recent,
          count(*) filter (where placed_at <= ${middle.toISOString()}::timestamptz)::double as before
        from marts.fct_order_line
        where location_id = ${location} and status = 'cancelled' and stock_cause in ('confirmed', 'inferred')
          and placed_at > ${from.toISOString()}::timestamptz and placed_at <= ${slot.toISOString()}::timestamptz`)
    : null;
  return {
    mismatchRate: rate(recent),
    mismatchRateBefore: rate(before),
    stockCancellations: Number(cancellations?.recent ?? 0),
    stockCancellationsBefore: Number(cancellations?.before ?? 0),
    daily: days.map((row) => ({ day: String(row.day), value: Number(row.compared) > 0 ? Number(row.mismatched) / Number(row.compared) : 0 })),
  };
}
