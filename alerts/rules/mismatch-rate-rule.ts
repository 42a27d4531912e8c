import type { AlertRuleConfig } from '../../core/config-schema.ts';
import { sql, type Row } from '../../db/database.ts';
import type { AlertCandidate } from '../alert.ts';
import { maxStoredRows } from '../alert.ts';
import { phantomMismatchFilter } from './freshness.ts';
import { judgeMismatchRate, type MismatchJudgement } from './mismatch-anomaly.ts';
import { addDays, candidateOf, groupBy, localDay, percent, plural, tableOf, type RuleContext } from './rule-context.ts';

type MismatchRateRule = Extract<AlertRuleConfig, { kind: 'mismatch_rate' }>;

interface RateRow extends Row {
  day: string;
  location_id: string;
  source: string;
  compared: number;
  mismatched: number;
}

export interface MismatchVerdict {
  day: string;
  location_id: string;
  source: string;
  judgement: MismatchJudgement;
  history: RateRow[];
}

const mismatchColumns = ['bucket_at', 'location_id', 'sku', 'source', 'truth_source', 'truth_units', 'system_units', 'diff_units', 'direction', 'probable_cause'];

/** Judges every (location, source) on `day` (default: the latest day of data up to now). */
export async function judgeMismatchDay(context: RuleContext<MismatchRateRule>, day?: string): Promise<MismatchVerdict[]> {
  const { connection, rule, config, now } = context;
  const judgedDay =
    day ?? ((await connection.one(sql`select cast(max(day) as varchar) as day from marts.agg_mismatch_rate where day <= ${localDay(now, config.timezone)}::date`))?.day as string | null);
  if (!judgedDay) return [];
  const rows = await connection.rows<RateRow>(sql`
    select cast(day as varchar) as day, location_id, source, compared::double as compared, mismatched::double as mismatched
    from marts.agg_mismatch_rate
    where day between ${addDays(judgedDay, -rule.baseline_days)}::date and ${judgedDay}::date
    order by location_id, source, day`);
  // Mismatches of a copy that went stale belong to the stale-source alert, not to the rate.
  const phantom = phantomMismatchFilter();
  const phantoms = await connection.rows(sql`
    select cast(cast(timezone(${config.timezone}, m.bucket_at) as date) as varchar) as day, m.location_id, m.source, count(*)::double as n
    from marts.fct_mismatch m
    where m.bucket_at >= ${addDays(judgedDay, -rule.baseline_days - 1)}::timestamptz and m.bucket_at < ${addDays(judgedDay, 2)}::timestamptz and not (${phantom})
    group by all`);
  const phantomCount = new Map(phantoms.map((row) => [`${row.day}|${row.location_id}|${row.source}`, Number(row.n)]));
  for (const row of rows) row.mismatched = Math.max(0, row.mismatched - (phantomCount.get(`${row.day}|${row.location_id}|${row.source}`) ?? 0));
  const verdicts: MismatchVerdict[] = [];
  for (const history of groupBy(rows, (row) => `${row.location_id}\u0000${row.source}`).values()) {
    const today = history.filter((row) => row.day === judgedDay);
    if (today.length === 0) continue;
    const current = { compared: sum(today, 'compared'), mismatched: sum(today, 'mismatched') };
    const judgement = judgeMismatchRate(current, history.filter((row) => row.day !== judgedDay), rule);
    verdicts.push({ day: judgedDay, location_id: history[0].location_id, source: history[0].source, judgement, history });
  }
  return verdicts;
}

/** `mismatch_rate`: a location's share of mismatched comparisons on one source, today. */
export async function mismatchRateRule(context: RuleContext<MismatchRateRule>): Promise<AlertCandidate[]> {
  const candidates: AlertCandidate[] = [];
  for (const verdict of await judgeMismatchDay(context)) {
    if (verdict.judgement.fires) candidates.push(await describe(context, verdict));
  }
  return candidates;
}

async function describe(context: RuleContext<MismatchRateRule>, verdict: MismatchVerdict): Promise<AlertCandidate> {
  const { connection, rule, config } = context;
  const phantom = phantomMismatchFilter();
  const { day, location_id: location, source, judgement } = verdict;
  // Day bounds as instants (not a cast of every bucket_at), so DuckDB can skip row groups by zone maps.
  const inDay = sql`bucket_at >= timezone(${config.timezone}, ${day}::date::timestamp) and bucket_at < timezone(${config.timezone}, (${day}::date + 1)::timestamp)`;
  const affected = sql`location_id = ${location} and source = ${source} and ${inDay} and ${phantom}`;
  const mismatches = await connection.rows(sql`
    select strftime(bucket_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%SZ') as bucket_at, location_id, sku, source, truth_source,
      truth_units, system_units, diff_units, direction, probable_cause
    from marts.fct_mismatch m where ${affected}
    order by bucket_at, sku
    limit ${maxStoredRows}`);
  const counts = await connection.one(sql`
    with latest as (select * from marts.fct_mismatch m where ${affected} qualify row_number() over (partition by sku order by bucket_at desc) = 1)
    select (select count(*) from marts.fct_mismatch m where ${affected}) as total, count(*) filter (where direction = 'over') as over from latest`);
  const totalRows = Number(counts?.total ?? 0);
  const oversellRisk = Number(counts?.over ?? 0);
  // Each SKU's latest mismatch is its current state. Oversell risk (the system shows more than is
  // sellable) comes before hidden stock, then the largest differences.
  const top = await connection.rows(sql`
    select strftime(bucket_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%SZ') as bucket_at, sku, truth_source, truth_units, system_units, diff_units, direction, probable_cause
    from marts.fct_mismatch m where ${affected}
    qualify row_number() over (partition by sku order by bucket_at desc) = 1
    order by direction = 'over' desc, abs(diff_units) desc, sku
    limit 10`);
  const topRows = await withOtherSystems(context, location, source, top);
  const truthSource = String(top[0]?.truth_source ?? 'truth');
  const rate = percent(judgement.rate);
  const title = `${location}: mismatch rate ${rate} on ${source}${oversellRisk > 0 ? ` (${plural(oversellRisk, 'SKU')} oversell risk)` : ''}`;
  const against = rule.mode === 'threshold' ? `the threshold of ${percent(rule.threshold)}` : `a ${verdict.history.length - 1}-day baseline of ${percent(judgement.reference)} (z ${judgement.z?.toFixed(1)})`;
  const compared = verdict.history.filter((row) => row.day === day).reduce((total, row) => total + row.compared, 0);
  return candidateOf(rule, { location, source }, {
    title,
    summary: `${source} disagreed with ${truthSource} on ${rate} of ${compared} comparisons at ${location} on ${day}, against ${against}.`,
    value: judgement.rate,
    top: {
      columns: ['sku', truthSource, source, 'other systems', 'diff', 'direction', 'probable cause'],
      rows: topRows.map((row) => [row.sku, row.truth_units, row.system_units, row.others, row.diff_units, row.direction, row.probable_cause]),
    },
    rows: tableOf(mismatches.slice(0, maxStoredRows), mismatchColumns),
    totalRows,
    series: {
      label: `mismatch rate of ${source} at ${location}`,
      points: verdict.history.map((row) => ({ day: row.day, value: row.compared > 0 ? row.mismatched / row.compared : 0 })),
      reference: { label: rule.mode === 'threshold' ? 'threshold' : 'baseline', value: judgement.reference },
    },
    view: { page: 'warehouses', params: { location, source, from: addDays(day, -rule.baseline_days), to: day } },
  });
}

/** Each top SKU's figure in the other systems that disagreed at the same bucket ("erp 12, amazon 3"). */
async function withOtherSystems(context: RuleContext<MismatchRateRule>, location: string, source: string, top: Row[]): Promise<Row[]> {
  if (top.length === 0) return [];
  const others = await context.connection.rows(sql`
    select strftime(bucket_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%SZ') as bucket_at, sku, source, system_units
    from marts.fct_mismatch
    where location_id = ${location} and source <> ${source}
      and sku in (${sql.join(top.map((row) => sql`${row.sku}`), ', ')})
      and bucket_at in (${sql.join([...new Set(top.map((row) => row.bucket_at))].map((at) => sql`${at}::timestamptz`), ', ')})
    order by source`);
  return top.map((row) => ({
    ...row,
    others: others
      .filter((other) => other.sku === row.sku && other.bucket_at === row.bucket_at)
      .map((other) => `${other.source} ${other.system_units}`)
      .join(', '),
  }));
}

function sum(rows: RateRow[], column: 'compared' | 'mismatched'): number {
  return rows.reduce((total, row) => total + row[column], 0);
}
