import { readFileSync } from 'node:fs';
import type { Connection, Row } from '../db/database.ts';
import { sql } from '../db/database.ts';
import type { AlertCandidate, AlertState } from './alert.ts';

const schemaSql = readFileSync(new URL('./schema.sql', import.meta.url), 'utf8');

/** Creates the `alerts` schema and tables when missing (idempotent, cheap enough for every round). */
export async function ensureAlertTables(connection: Connection): Promise<void> {
  await connection.run(schemaSql);
}

export async function readAlertStates(connection: Connection): Promise<AlertState[]> {
  const rows = await connection.rows(sql`select * from alerts.alert_state order by alert_key`);
  return rows.map(toAlertState);
}

/** A new episode of an alert that was not firing: first seen now. */
export async function insertFiring(connection: Connection, key: string, candidate: AlertCandidate, nowIso: string): Promise<void> {
  await connection.run(sql`delete from alerts.alert_state where alert_key = ${key}`);
  await connection.run(sql`
    insert into alerts.alert_state values (
      ${key}, ${candidate.rule}, ${candidate.kind}, ${candidate.severity}, ${JSON.stringify(candidate.entity)}, ${JSON.stringify(candidate.labels)},
      ${candidate.title}, ${candidate.summary}, ${candidate.value}, 'firing', null, ${nowIso}::timestamptz, ${nowIso}::timestamptz, null,
      ${JSON.stringify(detailsOf(candidate))})`);
}

/** The same episode still firing: its figures and rows are refreshed, its first-seen time kept. */
export async function refreshFiring(connection: Connection, key: string, candidate: AlertCandidate, nowIso: string): Promise<void> {
  await connection.run(sql`
    update alerts.alert_state set severity = ${candidate.severity}, labels = ${JSON.stringify(candidate.labels)}, title = ${candidate.title},
      summary = ${candidate.summary}, value = ${candidate.value}, last_seen_at = ${nowIso}::timestamptz, details = ${JSON.stringify(detailsOf(candidate))}
    where alert_key = ${key}`);
}

export async function markResolved(connection: Connection, key: string, nowIso: string): Promise<void> {
  await connection.run(sql`update alerts.alert_state set status = 'resolved', resolved_at = ${nowIso}::timestamptz where alert_key = ${key}`);
}

export async function setSuppression(connection: Connection, key: string, suppressedBy: string | null): Promise<void> {
  await connection.run(sql`update alerts.alert_state set suppressed_by = ${suppressedBy} where alert_key = ${key}`);
}

function detailsOf(candidate: AlertCandidate) {
  return { top: candidate.top, rows: candidate.rows, totalRows: candidate.totalRows, series: candidate.series ?? null, bars: candidate.bars ?? null, view: candidate.view };
}

function toAlertState(row: Row): AlertState {
  const details = JSON.parse(String(row.details)) as Pick<AlertState, 'top' | 'rows' | 'totalRows' | 'view'> & { series: AlertState['series'] | null; bars?: AlertState['bars'] | null };
  return {
    key: String(row.alert_key),
    rule: String(row.rule),
    kind: row.kind as AlertState['kind'],
    severity: row.severity as AlertState['severity'],
    entity: JSON.parse(String(row.entity)) as Record<string, string>,
    labels: JSON.parse(String(row.labels)) as Record<string, string>,
    title: String(row.title),
    summary: String(row.summary),
    value: row.value === null ? null : Number(row.value),
    status: row.status as AlertState['status'],
    suppressedBy: row.suppressed_by === null ? null : String(row.suppressed_by),
    firstSeenAt: String(row.first_seen_at),
    lastSeenAt: String(row.last_seen_at),
    resolvedAt: row.resolved_at === null ? null : String(row.resolved_at),
    top: details.top,
    rows: details.rows,
    totalRows: details.totalRows,
    series: details.series ?? undefined,
    bars: details.bars ?? undefined,
    view: details.view,
  };
}
