import { drillFilterNames, formatRoute, type FilterName, type Filters } from '../routing/route.ts';
import type { Params } from './api-client.ts';
import { formatDay, isoDay } from './format.ts';

/**
 * The rows behind the dashboard's numbers: every tile, heatmap cell, ranking bar and chart mark
 * links to one of these lists, filtered to the rows it counts. Each kind reads one mart's rows as
 * they are (no aggregation in the route), so the list's count or sum is the number.
 */
export const drillKinds = ['order-lines', 'mismatches', 'skus', 'hidden-units'] as const;
export type DrillKind = (typeof drillKinds)[number];

interface KindInfo {
  path: string;
  noun: string;
  /** URL filter → API parameter, for those whose names differ. */
  rename?: Partial<Record<FilterName, string>>;
  /** URL filters this kind's endpoint takes. */
  accepts: FilterName[];
}

export const drillInfo: Record<DrillKind, KindInfo> = {
  'order-lines': {
    path: '/api/order-lines',
    noun: 'order lines',
    accepts: ['from', 'to', 'at', 'location', 'channel', 'sku', 'status', 'cancel_reason', 'stock_cause', 'oversell'],
  },
  mismatches: {
    path: '/api/mismatch',
    noun: 'mismatches',
    accepts: ['from', 'to', 'location', 'source', 'sku', 'cause', 'measure', 'direction', 'day', 'week', 'bucket'],
  },
  skus: { path: '/api/stock-skus', noun: 'SKU stock rows', accepts: ['location', 'sku', 'day'] },
  'hidden-units': { path: '/api/hidden-units', noun: 'SKU-locations with hidden units', accepts: ['location', 'sku', 'week'] },
};

export function isDrillKind(value: string | undefined): value is DrillKind {
  return (drillKinds as readonly string[]).includes(value ?? '');
}

/** The API parameters of a drill-down view; comma lists become repeated parameters. */
export function drillParams(kind: DrillKind, filters: Filters): Params {
  const params: Params = {};
  for (const name of drillInfo[kind].accepts) {
    const value = filters[name];
    if (!value) continue;
    const key = drillInfo[kind].rename?.[name] ?? name;
    params[key] = value.includes(',') && name !== 'from' && name !== 'to' ? value.split(',').map((v) => v.trim()).filter(Boolean) : value;
  }
  return params;
}

/** The link that opens the rows of a number. `location: 'ALL'` means every location. */
export function drillHref(kind: DrillKind, filters: Record<string, string | readonly string[] | number | boolean | undefined | null>): string {
  const clean: Filters = {};
  for (const [name, value] of Object.entries(filters)) {
    if (value === undefined || value === null || value === '' || (name === 'location' && value === 'ALL')) continue;
    clean[name as FilterName] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return formatRoute({ page: 'rows', id: kind, filters: clean });
}

/** The filters a page link should not carry on: those that only narrow a drill-down. */
export function withoutDrillFilters(filters: Filters): Filters {
  const kept: Filters = { ...filters };
  for (const name of drillFilterNames) delete kept[name];
  return kept;
}

const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** A week named by its Monday, as the `from`/`to` of the days it covers. */
export function weekRange(week: unknown): { from: string; to: string } {
  const monday = isoDay(week)!;
  return { from: monday, to: addDays(monday, 6) };
}

/** What a drill-down lists, in words: "oversold order lines placed Dec 1 – Dec 7 at WH-EAST". */
export function describeDrill(kind: DrillKind, filters: Filters, locationName: (id: string) => string): string {
  const parts: string[] = [];
  const f = filters;
  const noun = drillInfo[kind].noun;
  if (kind === 'order-lines') {
    const adjectives = [f.oversell === 'true' ? 'oversold' : f.oversell === 'false' ? 'not oversold' : '', f.status ?? ''].filter(Boolean);
    parts.push([...adjectives, noun].join(' '));
    if (f.stock_cause) parts.push(`with stock cause ${f.stock_cause.replaceAll(',', ' or ')}`);
    if (f.cancel_reason) parts.push(`cancelled as ${f.cancel_reason.replaceAll(',', ' or ')}`);
  } else if (kind === 'mismatches') {
    const direction = f.direction === 'over' ? 'over (oversell risk)' : f.direction === 'under' ? 'under (hidden stock)' : '';
    parts.push([direction, noun].filter(Boolean).join(' '));
    if (f.measure) parts.push(`of ${f.measure.replaceAll('_', ' ')}`);
    if (f.cause) parts.push(`with probable cause ${f.cause.replaceAll('_', ' ')}`);
  } else parts.push(noun);
  if (f.source) parts.push(`from ${f.source.replaceAll(',', ', ')}`);
  if (f.sku) parts.push(`of ${f.sku}`);
  if (f.channel) parts.push(`on ${f.channel}`);
  if (f.week) parts.push(`in the week of ${formatDay(f.week)}`);
  if (f.day) parts.push(`on ${formatDay(f.day)}`);
  if (f.bucket) parts.push(`at ${f.bucket}`);
  if (f.from || f.to) {
    const verb = kind === 'order-lines' ? (f.at === 'cancelled' ? 'cancelled ' : 'placed ') : '';
    parts.push(`${verb}${f.from ? formatDay(f.from) : 'the start'} – ${f.to ? formatDay(f.to) : 'now'}`);
  }
  parts.push(f.location ? `at ${f.location.split(',').map(locationName).join(', ')}` : 'at every location');
  const text = parts.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
