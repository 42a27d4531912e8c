import type { AlertRuleConfig } from '../core/config-schema.ts';
import type { JsonValue } from '../db/database.ts';

export type AlertRuleKind = AlertRuleConfig['kind'];
export type Severity = AlertRuleConfig['severity'];

/** A table of affected rows: what the email lists and the CSV attachment carries. */
export interface AlertTable {
  columns: string[];
  rows: JsonValue[][];
}

/** A daily series for the email's chart, with the level it was judged against. */
export interface AlertSeries {
  label: string;
  points: { day: string; value: number }[];
  /** Baseline or threshold the current value was compared with, drawn as a rule. */
  reference?: { label: string; value: number };
}

/**
 * Bars for the email's chart when a daily series does not tell the story: one bar per SKU or
 * source, red when a system shows more than is there (over), amber when less (under), blue else.
 */
export interface AlertBars {
  label: string;
  bars: { name: string; value: number; direction?: 'over' | 'under' }[];
  /** A limit the bars are judged against, drawn as a dashed rule. */
  reference?: { label: string; value: number };
}

/** The dashboard view that shows an alert's rows: page plus the filters set in its URL. */
export interface DashboardView {
  page: string;
  params: Record<string, string>;
}

/** What a rule reports for one entity (a location and source, a batch, …) that breaks it now. */
export interface AlertCandidate {
  rule: string;
  kind: AlertRuleKind;
  severity: Severity;
  /** What identifies the entity: location, source, batch. Part of the alert key. */
  entity: Record<string, string>;
  /** The rule's own labels plus the entity's; routes and silences match these. */
  labels: Record<string, string>;
  /** What and where in a few words, used as the email subject: `WH-EAST: mismatch rate 12% on shopify`. */
  title: string;
  /** One sentence on why it fired (the figures it was judged on). */
  summary: string;
  value: number | null;
  /** The most affected rows, shown in the email body. */
  top: AlertTable;
  /** All affected rows (capped), the CSV attachment. */
  rows: AlertTable;
  totalRows: number;
  series?: AlertSeries;
  bars?: AlertBars;
  view: DashboardView;
}

/** An alert as stored in alerts.alert_state: a candidate plus its life cycle. */
export interface AlertState extends Omit<AlertCandidate, 'entity'> {
  key: string;
  entity: Record<string, string>;
  status: 'firing' | 'resolved';
  /** Why it is not notified: `silence:<id>` or `inhibited by <alert key>`; null when it is. */
  suppressedBy: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
}

/** The key of one alert: its rule and entity, stable across evaluations. */
export function alertKey(rule: string, entity: Record<string, string>): string {
  const parts = Object.keys(entity)
    .sort()
    .map((name) => `${name}=${entity[name]}`);
  return [rule, ...parts].join('|');
}

export const maxStoredRows = 5000;
