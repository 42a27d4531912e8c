import type { AlertRuleConfig } from '../../core/config-schema.ts';
import type { Config } from '../../core/load-config.ts';
import type { Connection, JsonValue, Row } from '../../db/database.ts';
import type { AlertCandidate, AlertTable } from '../alert.ts';

export interface RuleContext<R extends AlertRuleConfig = AlertRuleConfig> {
  config: Config;
  connection: Connection;
  rule: R;
  now: Date;
}

/** The parts of a candidate every rule fills the same way: labels from the rule and the entity. */
export function candidateOf(rule: AlertRuleConfig, entity: Record<string, string>, fields: Omit<AlertCandidate, 'rule' | 'kind' | 'severity' | 'entity' | 'labels'>): AlertCandidate {
  return {
    rule: rule.name,
    kind: rule.kind,
    severity: rule.severity,
    entity,
    labels: { ...rule.labels, ...entity, rule: rule.name, kind: rule.kind, severity: rule.severity },
    ...fields,
  };
}

/** Rows as a table with the given columns, in that order. */
export function tableOf(rows: Row[], columns: string[]): AlertTable {
  return { columns, rows: rows.map((row) => columns.map((column) => (row[column] ?? null) as JsonValue)) };
}

/** Groups rows by a column's value, keeping order. */
export function groupBy<T extends Row>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const name = key(row);
    const list = groups.get(name);
    if (list) list.push(row);
    else groups.set(name, [row]);
  }
  return groups;
}

/** The calendar day of an instant in the config's time zone (days and weeks are local). */
export function localDay(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

export function percent(share: number): string {
  const value = share * 100;
  return `${value >= 10 || value === 0 ? Math.round(value) : value.toFixed(1)}%`;
}

export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

/** The verb that agrees with a count: `1 SKU needs`, `3 SKUs need`. */
export function agree(count: number, singular: string, pluralForm: string): string {
  return count === 1 ? singular : pluralForm;
}
