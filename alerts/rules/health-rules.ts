import type { AlertRuleConfig } from '../../core/config-schema.ts';
import { sql } from '../../db/database.ts';
import type { AlertCandidate } from '../alert.ts';
import { maxStoredRows } from '../alert.ts';
import { formatInstant } from '../email/html.ts';
import { formatSyncMinutes, needsFasterSyncCount } from '../../core/sync-advice.ts';
import { staleNow } from './freshness.ts';
import { agree, candidateOf, groupBy, plural, tableOf, type RuleContext } from './rule-context.ts';

type Kind<K extends AlertRuleConfig['kind']> = Extract<AlertRuleConfig, { kind: K }>;

/** `stale_source`: a source has not sent a capture within its max_staleness (or its last full batch was held). */
export async function staleSourceRule(context: RuleContext<Kind<'stale_source'>>): Promise<AlertCandidate[]> {
  const columns = ['source', 'last_captured_at', 'staleness_minutes', 'max_staleness_minutes', 'is_held'];
  const rows = await staleNow(context.connection, context.now);
  return rows.map((row) => {
    const source = String(row.source);
    const hours = (minutes: unknown) => `${(Number(minutes) / 60).toFixed(1)} h`;
    const what = row.is_held ? 'last full batch held, data incomplete' : `data is ${hours(row.staleness_minutes)} old (limit ${hours(row.max_staleness_minutes)})`;
    const candidate = candidateOf(context.rule, { source }, {
      title: `${source}: ${what}`,
      summary: `The last capture of ${source} is from ${row.last_captured_at ? formatInstant(String(row.last_captured_at), context.config.timezone) : 'never'}; its mismatches are not alerted on until it is fresh again.`,
      value: row.staleness_minutes === null ? null : Number(row.staleness_minutes),
      top: tableOf([row], columns),
      rows: tableOf([row], columns),
      totalRows: 1,
      bars:
        row.staleness_minutes === null
          ? undefined
          : { label: 'hours since the last capture', bars: [{ name: source, value: Math.round(Number(row.staleness_minutes) / 6) / 10 }], reference: { label: 'limit', value: Number(row.max_staleness_minutes) / 60 } },
      view: { page: 'data-health', params: { source } },
    });
    // Marks staleness that a held batch causes, so the held-batch alert can stand for both.
    if (row.is_held) candidate.labels.held = 'true';
    return candidate;
  });
}

/** `held_batch`: a full batch the empty-extract guard held back; release it or fix the export. */
export async function heldBatchRule(context: RuleContext<Kind<'held_batch'>>): Promise<AlertCandidate[]> {
  const columns = ['batch_id', 'source', 'entity', 'file', 'mode', 'captured_at', 'rows', 'error'];
  const rows = await context.connection.rows(sql`
    select h.batch_id::varchar as batch_id, h.source, h.entity, h.file, h.mode, h.captured_at, h.rows, h.error,
      (select p.rows from ingest.batches p where p.source = h.source and p.entity = h.entity and p.mode = 'full' and p.status = 'landed' and p.captured_at < h.captured_at
       order by p.captured_at desc limit 1) as previous_rows
    from ingest.batches h where h.status = 'held' order by h.source, h.captured_at, h.batch_id`);
  return rows.map((row) => {
    const file = row.file ? String(row.file).split('/').at(-1) : null;
    return candidateOf(context.rule, { source: String(row.source), batch: String(row.batch_id) }, {
      title: `${row.source}: ${row.mode ?? ''} ${row.entity} batch held${file ? ` (${file})` : ''}`.replace(/\s+/g, ' '),
      summary: `Batch ${row.batch_id} of ${row.source} (${row.rows} rows) was held: ${row.error ?? 'its row count fell too far from the previous full batch'}. Release it with \`stocklens ingest --accept ${row.batch_id}\` if it is right.`,
      value: Number(row.rows ?? 0),
      top: tableOf([row], columns),
      rows: tableOf([row], columns),
      totalRows: 1,
      bars: {
        label: 'rows in the full batch',
        bars: [
          ...(row.previous_rows === null ? [] : [{ name: 'previous full batch', value: Number(row.previous_rows) }]),
          { name: 'held batch', value: Number(row.rows ?? 0), direction: 'under' as const },
        ],
      },
      view: { page: 'data-health', params: { source: String(row.source) } },
    });
  });
}

/** `needs_faster_sync`: a source whose mismatches outlive its sync interval on SKUs that sell. */
export async function needsFasterSyncRule(context: RuleContext<Kind<'needs_faster_sync'>>): Promise<AlertCandidate[]> {
  const columns = ['source', 'sku', 'mismatch_buckets', 'max_consecutive', 'units_per_hour', 'p95_lag_minutes', 'exposure', 'recommended_sync_minutes'];
  const rows = await context.connection.rows(sql`
    select source, sku, mismatch_buckets, max_consecutive, units_per_hour, p95_lag_minutes, exposure, recommended_sync_minutes, current_sync_minutes
    from marts.rpt_sync_priority where needs_faster_sync order by source, exposure desc, sku`);
  const candidates: AlertCandidate[] = [];
  for (const [source, skus] of groupBy(rows, (row) => String(row.source))) {
    if (skus.length < context.rule.min_skus) continue;
    const fastest = Math.min(...skus.map((row) => Number(row.recommended_sync_minutes ?? Infinity)));
    const current = Number(skus[0]!.current_sync_minutes);
    candidates.push(
      candidateOf(context.rule, { source }, {
        title: `${source}: ${needsFasterSyncCount(skus.length)}${Number.isFinite(fastest) ? ` (every ${formatSyncMinutes(fastest)} recommended)` : ''}`,
        summary: `${plural(skus.length, 'SKU')} on ${source} ${agree(skus.length, 'stays', 'stay')} mismatched for longer than one sync interval while ${agree(skus.length, 'it sells', 'they sell')}; syncing every ${formatSyncMinutes(fastest)} instead of every ${formatSyncMinutes(current)} keeps expected oversold units below one a week.`,
        value: skus.length,
        top: tableOf(skus.slice(0, 10), columns.slice(1)),
        rows: tableOf(skus.slice(0, maxStoredRows), columns),
        totalRows: skus.length,
        bars: { label: 'exposure (mismatch frequency × units sold an hour × sync interval)', bars: skus.slice(0, 10).map((row) => ({ name: String(row.sku), value: Math.round(Number(row.exposure ?? 0) * 100) / 100 })) },
        view: { page: 'sync', params: { source } },
      }),
    );
  }
  return candidates;
}
