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
