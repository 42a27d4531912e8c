import type { AlertRuleConfig } from '../../core/config-schema.ts';
import { parseDurationMs } from '../../core/duration.ts';
import { sql, type Row } from '../../db/database.ts';
import type { AlertCandidate } from '../alert.ts';
import { formatInstant } from '../email/html.ts';
import { staleNow } from './freshness.ts';
import { explainCause, systemName, type OpenMismatch } from './mismatch-causes.ts';
import { addDays, candidateOf, localDay, type RuleContext } from './rule-context.ts';

type OpenMismatchRule = Extract<AlertRuleConfig, { kind: 'open_mismatch' }>;

/** The columns of an open-mismatch row, in the email's table and its CSV. */
export const openMismatchColumns = ['location_id', 'sku', 'source', 'truth_source', 'truth_units', 'system_units', 'diff_units', 'since', 'probable_cause', 'evidence', 'action'];

const minimumAgeMinutes = 60;
const iso = (column: string) => sql`strftime(${sql.ident(column)} at time zone 'UTC', '%Y-%m-%dT%H:%M:%SZ') as ${sql.ident(column)}`;

/**
 * `open_mismatch`: every (SKU, system) at a location that disagrees with the truth at `now`, has
 * done so for longer than the rule's min_age (by default two of that system's sync intervals, and
 * at least an hour: a difference a sync would have fixed is not news), by at least min_units. One
 * alert per (location, system, SKU), so each one resolves on its own when the figures agree again.
 * A system or truth that is stale now is left out: the stale-source alert stands for it.
 */
export async function openMismatchRule(context: RuleContext<OpenMismatchRule>): Promise<AlertCandidate[]> {
  const { connection, rule, now } = context;
  const at = now.toISOString();
  const fixedAgeMinutes = rule.min_age ? parseDurationMs(rule.min_age)! / 60_000 : null;
  const ageMinutes = fixedAgeMinutes === null ? sql`greatest(${minimumAgeMinutes}, 2 * coalesce(sync_minutes, 0))` : sql`${fixedAgeMinutes}`;
  const rows = await connection.rows(sql`
    select source, system, location_id, sku, truth_source, probable_cause, ${iso('episode_from')}, truth_units, system_units, diff_units, direction,
      truth_committed, truth_in_transit, truth_quality_control, evidence_event_id, evidence_reason, evidence_reference, ${iso('evidence_at')}, evidence_delta
    from marts.fct_mismatch_segment
    where segment_from <= ${at}::timestamptz and (segment_to is null or segment_to > ${at}::timestamptz)
      and abs(diff_units) >= ${rule.min_units}
      and episode_from <= ${at}::timestamptz - to_minutes(cast(${ageMinutes} as bigint))
    order by location_id, source, sku`);
  const stale = await staleNow(connection, now);
  const isStale = (source: string) => stale.some((entry) => entry.source === source);
  return rows
    .filter((row) => !isStale(String(row.source)) && !isStale(String(row.truth_source)))
    .map((row) => describe(context, row));
}

function describe(context: RuleContext<OpenMismatchRule>, row: Row): AlertCandidate {
  const { config, now, rule } = context;
  const mismatch = row as unknown as OpenMismatch & { location_id: string; sku: string };
  const { evidence, action } = explainCause(mismatch, config.timezone);
  const location = mismatch.location_id;
  const diff = mismatch.diff_units;
  const system = systemName(mismatch.source, mismatch.system);
  const since = formatInstant(mismatch.episode_from, config.timezone);
  const cells = {
    location_id: location,
    sku: mismatch.sku,
    source: mismatch.source,
    truth_source: mismatch.truth_source,
    truth_units: mismatch.truth_units,
    system_units: mismatch.system_units,
    diff_units: diff,
    since: mismatch.episode_from,
    probable_cause: mismatch.probable_cause,
    evidence,
    action,
  };
  const table = { columns: openMismatchColumns, rows: [openMismatchColumns.map((column) => cells[column as keyof typeof cells])] };
  return candidateOf(rule, { location, source: mismatch.source, sku: mismatch.sku }, {
    title: `${location}: ${mismatch.sku} on ${mismatch.source} ${diff > 0 ? `${diff} over` : `${-diff} under`} the ${mismatch.truth_source} (${mismatch.probable_cause.replace(/_/g, ' ')})`,
    summary: `${system} shows ${mismatch.system_units} of ${mismatch.sku} at ${location} where the ${mismatch.truth_source} says ${mismatch.truth_units}, since ${since}: ${evidence}. To do: ${action}.`,
    value: diff,
    top: table,
    rows: table,
    totalRows: 1,
    view: { page: 'sku', params: { sku: mismatch.sku, location, source: mismatch.source, from: addDays(localDay(new Date(mismatch.episode_from), config.timezone), -1), to: localDay(now, config.timezone) } },
  });
}
