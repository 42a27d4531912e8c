import { parseDurationMs } from '../../core/duration.ts';
import type { Config } from '../../core/load-config.ts';
import { sql, type Connection } from '../../db/database.ts';
import type { NodeResult } from './run-history.ts';

/**
 * Source freshness (dbt's `warn_after` / `error_after`, set per source in the config): how long
 * since the source's latest landed batch was captured. Sources without either threshold are not
 * checked. A stale source is reported, not built around: the marts exclude stale systems themselves.
 */
export async function checkFreshness(connection: Connection, config: Config, runId: string, now: Date): Promise<NodeResult[]> {
  const checked = config.sources.filter((source) => source.warn_after || source.error_after);
  if (checked.length === 0) return [];
  const hasLedger = await connection.relationKind('ingest', 'batches');
  const latest = new Map<string, string>();
  if (hasLedger) {
    const rows = await connection.rows<{ source: string; captured_at: string }>(
      sql`select source, max(captured_at) as captured_at from ingest.batches where status = 'landed' group by source`,
    );
    for (const row of rows) latest.set(row.source, row.captured_at);
  }
  return checked.map((source) => {
    const startedAt = new Date();
    const node = `source:${source.name}`;
    const capturedAt = latest.get(source.name);
    const warnMs = source.warn_after ? parseDurationMs(source.warn_after)! : undefined;
    const errorMs = source.error_after ? parseDurationMs(source.error_after)! : undefined;
    const base = { runId, node, kind: 'source' as const, durationMs: 0, startedAt };
    if (!capturedAt) {
      return { ...base, status: errorMs !== undefined ? 'error' : 'warn', error: `${source.name} has no landed batch yet` } satisfies NodeResult;
    }
    const ageMs = now.getTime() - new Date(capturedAt).getTime();
    const age = `last capture ${capturedAt}, ${Math.round(ageMs / 60_000)} min ago`;
    if (errorMs !== undefined && ageMs > errorMs) return { ...base, status: 'error', error: `${age} (error_after ${source.error_after})` } satisfies NodeResult;
    if (warnMs !== undefined && ageMs > warnMs) return { ...base, status: 'warn', error: `${age} (warn_after ${source.warn_after})` } satisfies NodeResult;
    return { ...base, status: 'success' } satisfies NodeResult;
  });
}
