import { toDate } from './format.ts';

/** Sums numeric fields over the rows that share a key (e.g. every location of a day). */
export function sumBy<T extends Record<string, unknown>, K extends string>(rows: T[], keyOf: (row: T) => string, fields: readonly K[]): (Record<K, number> & { key: string; first: T })[] {
  const groups = new Map<string, Record<K, number> & { key: string; first: T }>();
  for (const row of rows) {
    const key = keyOf(row);
    let group = groups.get(key);
    if (!group) {
      group = { key, first: row } as Record<K, number> & { key: string; first: T };
      for (const field of fields) (group as Record<string, number>)[field] = 0;
      groups.set(key, group);
    }
    for (const field of fields) (group as Record<string, number>)[field] += Number(row[field] ?? 0) || 0;
  }
  return [...groups.values()];
}

/** The period column of a rolled-up table, whichever grain it was asked for. */
export function periodOf(row: Record<string, unknown>): Date | undefined {
  return toDate(row.week ?? row.day ?? row.period ?? row.bucket_at);
}

export function periodKey(row: Record<string, unknown>): string {
  return periodOf(row)?.toISOString() ?? '';
}

export function rate(mismatched: number, compared: number): number | null {
  return compared > 0 ? mismatched / compared : null;
}

const dayMs = 86_400_000;
const hourMs = 3_600_000;

/**
 * Whether a week (named by its Monday) is still in progress: its Sunday comes after the last day
 * with data. Undefined last day: nothing says so, the week counts as complete.
 */
export function weekInProgress(week: unknown, lastDay: unknown): boolean {
  const start = toDate(week)?.getTime();
  const end = toDate(lastDay)?.getTime();
  return start !== undefined && end !== undefined && start + 6 * dayMs > end;
}

/** The Monday before a week's Monday. */
export function weekBefore(week: unknown): Date | undefined {
  const start = toDate(week)?.getTime();
  return start === undefined ? undefined : new Date(start - 7 * dayMs);
}

/** What rpt_weekly_health says of a week's coverage: whether its buckets cover all of it, and how many hours they cover. */
export type WeekCoverage = Record<string, unknown> & { week: unknown; is_partial?: unknown; week_hours?: unknown };

/**
 * Where the data ends, as rpt_weekly_health tells it: its latest week, when partial, is covered
 * from its Monday for `week_hours` hours. The mart decides which weeks are partial (their buckets
 * cover less than the week); a day of that week is judged against the same end. Undefined when the
 * latest week is whole, or is the data's first week (its buckets may start after its Monday).
 */
export function dataEndOf(weeks: WeekCoverage[]): Date | undefined {
  const starts = [...new Set(weeks.map((row) => toDate(row.week)?.getTime()).filter((time): time is number => time !== undefined))].sort((a, b) => a - b);
  const latest = starts.at(-1);
  if (latest === undefined || starts.length < 2) return undefined;
  const row = weeks.find((candidate) => toDate(candidate.week)?.getTime() === latest)!;
  const hours = Number(row.week_hours);
  if (row.is_partial !== true || !Number.isFinite(hours)) return undefined;
  return new Date(latest + hours * hourMs);
}

/**
 * The hours of a period (its start and length) that the data covers so far, when that is less than
 * the whole period; undefined for a whole period, or when nothing says where the data ends. A
 * partial period is never drawn or compared as a whole one: it is left out, saying "so far".
 */
export function hoursSoFar(start: Date, hours: number, dataEnd: Date | undefined): number | undefined {
  if (!dataEnd || start.getTime() + hours * hourMs <= dataEnd.getTime()) return undefined;
  return Math.max(0, Math.round(((dataEnd.getTime() - start.getTime()) / hourMs) * 100) / 100);
}
