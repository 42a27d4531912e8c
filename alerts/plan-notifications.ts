import type { Config } from '../core/load-config.ts';
import { parseDurationMs } from '../core/duration.ts';
import { sql, type Connection } from '../db/database.ts';
import type { AlertState } from './alert.ts';
import { readAlertStates } from './alert-store.ts';
import { renderAlertEmail } from './email/render-alert-email.ts';
import { enqueue } from './outbox.ts';
import { receiversOf, routeAlert, scopeAlert } from './routing.ts';

export interface PlannedNotification {
  idempotencyKey: string;
  receiver: string;
  to: string[];
  subject: string;
  reason: 'first' | 'changed' | 'repeat' | 'resolved';
  firing: string[];
  resolved: string[];
}

export interface PlanResult {
  planned: PlannedNotification[];
  /** When the next group becomes due (group_wait or group_interval running), if any. */
  nextDueAt: Date | null;
}

interface GroupRow {
  receiver: string;
  pendingSince: Date | null;
  lastNotifiedAt: Date | null;
  notifiedKeys: string[];
  sequence: number;
}

/**
 * Alertmanager's grouping, one group per receiver. A group with new alerts waits group_wait
 * before its first notification (so alerts of one build arrive in one email); after that a
 * change (an alert added or resolved) is sent at most every group_interval; an unchanged group is
 * re-sent after repeat_interval if an evaluation since its last notification still saw it firing. Membership is compared by alert key, not episode, so a metric
 * that flaps between two flushes changes nothing and sends nothing. Each notification goes to the
 * outbox in the same transaction as the group's new state, keyed `alert:<receiver>:<sequence>`.
 */
export async function planNotifications(config: Config, connection: Connection, now: Date, options: { ignoreWaits?: boolean } = {}): Promise<PlanResult> {
  const groupWaitMs = parseDurationMs(config.alerts.group_wait)!;
  const groupIntervalMs = parseDurationMs(config.alerts.group_interval)!;
  const repeatIntervalMs = parseDurationMs(config.alerts.repeat_interval)!;
  const receivers = receiversOf(config);
  const states = new Map((await readAlertStates(connection)).map((state) => [state.key, state]));
  const active = new Map<string, AlertState[]>();
  for (const state of states.values()) {
    if (state.status !== 'firing' || state.suppressedBy !== null) continue;
    for (const name of routeAlert(config, state.labels)) {
      const receiver = receivers.get(name);
      const scoped = receiver && scopeAlert(receiver, state);
      if (scoped) active.set(name, [...(active.get(name) ?? []), scoped]);
    }
  }
  const groups = new Map((await readGroups(connection)).map((group) => [group.receiver, group]));
  const result: PlanResult = { planned: [], nextDueAt: null };
  const noteDue = (at: Date) => {
    if (!result.nextDueAt || at < result.nextDueAt) result.nextDueAt = at;
  };
  for (const name of [...new Set([...active.keys(), ...groups.keys()])].sort()) {
    const receiver = receivers.get(name);
    if (!receiver) continue;
    const group = groups.get(name) ?? { receiver: name, pendingSince: null, lastNotifiedAt: null, notifiedKeys: [], sequence: 0 };
    const firing = (active.get(name) ?? []).sort((a, b) => a.key.localeCompare(b.key));
    const firingKeys = firing.map((state) => state.key);
    const unchanged = sameKeys(firingKeys, group.notifiedKeys);
    let reason: PlannedNotification['reason'];
    if (unchanged) {
      if (firing.length === 0 || !group.lastNotifiedAt) {
        if (group.pendingSince) await saveGroup(connection, { ...group, pendingSince: null });
        continue;
      }
      // A repeat says "still firing": only an evaluation after the last notification can say so
      // (replayed data that nothing evaluates any more is not re-sent every repeat_interval).
      const lastNotifiedAt = group.lastNotifiedAt;
      if (!firing.some((state) => new Date(state.lastSeenAt) > lastNotifiedAt)) continue;
      const repeatAt = new Date(group.lastNotifiedAt.getTime() + repeatIntervalMs);
      if (now < repeatAt && !options.ignoreWaits) {
        noteDue(repeatAt);
        continue;
      }
      reason = 'repeat';
    } else {
      // The group's clock starts when its first unannounced alert was seen (at evaluation), not at this round.
      const announced = new Set(group.notifiedKeys);
      const newest = firing.filter((state) => !announced.has(state.key)).map((state) => new Date(state.firstSeenAt).getTime());
      const pendingSince = group.pendingSince ?? (newest.length > 0 ? new Date(Math.min(...newest)) : now);
      if (!group.pendingSince) await saveGroup(connection, { ...group, pendingSince });
      const waits = [group.notifiedKeys.length === 0 ? pendingSince.getTime() + groupWaitMs : 0, group.lastNotifiedAt ? group.lastNotifiedAt.getTime() + groupIntervalMs : 0];
      const dueAt = new Date(Math.max(...waits));
      if (now < dueAt && !options.ignoreWaits) {
        noteDue(dueAt);
        continue;
      }
      reason = group.notifiedKeys.length === 0 ? 'first' : firing.length === 0 ? 'resolved' : 'changed';
    }
    const firingSet = new Set(firingKeys);
    // Only alerts that were announced as firing get a resolved notice; one that was silenced or
    // inhibited meanwhile simply leaves the group.
    const resolved = group.notifiedKeys
      .filter((key) => !firingSet.has(key) && states.get(key)?.status === 'resolved')
      .map((key) => scopeAlert(receiver, states.get(key)!))
      .filter((state) => state !== undefined);
    if (firing.length === 0 && resolved.length === 0) {
      await saveGroup(connection, { ...group, pendingSince: null, notifiedKeys: [] });
      continue;
    }
    const sequence = group.sequence + 1;
    const idempotencyKey = `alert:${name}:${sequence}`;
    const email = renderAlertEmail(config, { receiver, firing, resolved, createdAt: now.toISOString() });
    await enqueue(config, connection, { idempotencyKey, kind: 'alert', receiver: name, to: receiver.to, email }, now);
    await saveGroup(connection, { receiver: name, pendingSince: null, lastNotifiedAt: now, notifiedKeys: firingKeys, sequence });
    result.planned.push({ idempotencyKey, receiver: name, to: receiver.to, subject: email.subject, reason, firing: firingKeys, resolved: resolved.map((state) => state.key) });
  }
  return result;
}

async function readGroups(connection: Connection): Promise<GroupRow[]> {
  const rows = await connection.rows(sql`select receiver, pending_since, last_notified_at, notified_keys, sequence from alerts.groups`);
  return rows.map((row) => ({
    receiver: String(row.receiver),
    pendingSince: row.pending_since === null ? null : new Date(String(row.pending_since)),
    lastNotifiedAt: row.last_notified_at === null ? null : new Date(String(row.last_notified_at)),
    notifiedKeys: JSON.parse(String(row.notified_keys)) as string[],
    sequence: Number(row.sequence),
  }));
}

async function saveGroup(connection: Connection, group: GroupRow): Promise<void> {
  await connection.run(sql`delete from alerts.groups where receiver = ${group.receiver}`);
  await connection.run(sql`
    insert into alerts.groups values (${group.receiver}, ${group.pendingSince?.toISOString() ?? null}::timestamptz,
      ${group.lastNotifiedAt?.toISOString() ?? null}::timestamptz, ${JSON.stringify(group.notifiedKeys)}, ${group.sequence})`);
}

function sameKeys(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().every((key, index) => key === [...b].sort()[index]);
}
