import type { Config } from '../../core/load-config.ts';
import type { AlertBars, AlertSeries, AlertState, AlertTable, DashboardView } from '../alert.ts';
import { openMismatchColumns } from '../rules/open-mismatch-rule.ts';
import { plural } from '../rules/rule-context.ts';

/** One part of an email: an alert, or all open mismatches of one location under one rule. */
export interface EmailSection {
  key: string;
  severity: AlertState['severity'];
  title: string;
  summary: string;
  firstSeenAt: string;
  view: DashboardView;
  /** The rows shown in the body. */
  top: AlertTable;
  /** Every affected row: the CSV attachment. */
  rows: AlertTable;
  totalRows: number;
  series?: AlertSeries;
  bars?: AlertBars;
  csvName: string;
}

const severityRank = { critical: 0, warning: 1, info: 2 } as const;

/** Most severe first, then the oldest: the subject names the alert that matters most. */
export function byImportance(a: { severity: AlertState['severity']; firstSeenAt: string; key: string }, b: { severity: AlertState['severity']; firstSeenAt: string; key: string }): number {
  return severityRank[a.severity] - severityRank[b.severity] || a.firstSeenAt.localeCompare(b.firstSeenAt) || a.key.localeCompare(b.key);
}

const csvNameOf = (key: string) => `${key.replace(/[^A-Za-z0-9_.=-]+/g, '_').replace(/=/g, '-')}.csv`;

/**
 * The sections of an email, most important first. A location's open mismatches (one alert per SKU
 * and system, so each resolves on its own) read as one table: the lead's worklist.
 */
export function sectionsOf(config: Config, alerts: AlertState[]): EmailSection[] {
  const sections: EmailSection[] = [];
  const worklists = new Map<string, AlertState[]>();
  for (const alert of alerts) {
    if (alert.kind !== 'open_mismatch') {
      sections.push({ ...alert, csvName: csvNameOf(alert.key) });
      continue;
    }
    const key = `${alert.rule}|location=${alert.labels.location}`;
    worklists.set(key, [...(worklists.get(key) ?? []), alert]);
  }
  for (const [key, list] of worklists) sections.push(worklist(config, key, list));
  return sections.sort(byImportance);
}

function worklist(config: Config, key: string, alerts: AlertState[]): EmailSection {
  const location = alerts[0].labels.location;
  const rows = alerts.flatMap((alert) => alert.rows.rows);
  const column = (name: string) => openMismatchColumns.indexOf(name);
  rows.sort((a, b) => Math.abs(Number(b[column('diff_units')])) - Math.abs(Number(a[column('diff_units')])) || String(a[column('sku')]).localeCompare(String(b[column('sku')])));
  const skus = new Set(rows.map((row) => String(row[column('sku')])));
  const sources = [...new Set(rows.map((row) => String(row[column('source')])))].sort();
  const truth = String(rows[0]?.[column('truth_source')] ?? 'truth');
  const shown = ['sku', 'source', 'truth_units', 'system_units', 'diff_units', 'since', 'probable_cause', 'evidence', 'action'];
  const locationName = config.locations.find((entry) => entry.id === location)?.name ?? location;
  return {
    key,
    severity: [...alerts].sort(byImportance)[0].severity,
    title: `${location}: ${plural(skus.size, 'SKU')} ${skus.size === 1 ? 'needs' : 'need'} a fix (${plural(rows.length, 'open mismatch', 'open mismatches')} on ${sources.join(', ')})`,
    summary:
      alerts.length === 1
        ? alerts[0].summary
        : `${plural(rows.length, 'figure')} at ${locationName} ${rows.length === 1 ? 'has' : 'have'} disagreed with the ${truth} for longer than two sync intervals of ${rows.length === 1 ? 'its' : 'their'} system. Each row names the probable cause, the event behind it and what to do.`,
    firstSeenAt: alerts.map((alert) => alert.firstSeenAt).sort()[0],
    view: { page: 'alerts', params: { location } },
    // The body's table in words (the CSV keeps the column names analysts query by).
    top: {
      columns: ['SKU', 'system', `${truth} (truth)`, 'system shows', 'diff', 'since', 'probable cause', 'evidence', 'what to do'],
      rows: rows.slice(0, 25).map((row) => shown.map((name) => (name === 'probable_cause' ? String(row[column(name)]).replace(/_/g, ' ') : row[column(name)]))),
    },
    rows: { columns: openMismatchColumns, rows },
    totalRows: rows.length,
    bars: {
      label: `units the system shows over (+) or under (−) the ${truth}`,
      bars: rows.map((row) => {
        const diff = Number(row[column('diff_units')]);
        return { name: `${row[column('sku')]} · ${row[column('source')]}`, value: diff, direction: diff > 0 ? ('over' as const) : ('under' as const) };
      }),
    },
    csvName: csvNameOf(key),
  };
}
