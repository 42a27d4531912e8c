import path from 'node:path';
import { literal, type Database } from '../../db/database.ts';
import { compileBody, loadProject } from '../../models/runner/project.ts';

/**
 * The truth side of the hidden-units and sync-priority scores, written from the simulator's own
 * record of the stock (`truth/stock_intervals.csv.gz`, every state each pair held) rather than from
 * the truth source's captures, which the marts read:
 *
 * - every comparison the marts made (a bucket of a compared segment where neither side was stale)
 *   is judged again at the instant it stands for (the latest capture both sides made at or before
 *   the bucket: a system is judged on what it could know at its last sync);
 * - the figure the system should have shown there is the true on_hand (a stock system) or the
 *   channel's allocation of the true ATS (a channel: the configured share, block_below and
 *   reserves, the rule the simulator's channels follow);
 * - `main.truth_mismatch` holds the comparisons where the system's figure differs from that, with
 *   the true difference: the mismatches a perfect truth source would have shown.
 *
 * The system's own figure is what it published (an observation, not an inference), so what this
 * scores is everything the marts infer: the truth source's picture (the FBA centre's daily report
 * against its hourly truth), the allocation, staleness, the bucket grid.
 */
export async function loadTruthMismatch(db: Database, outDir: string): Promise<void> {
  await db.run(`
    create or replace table main.truth_stock as
      select * from read_csv(${literal(path.join(outDir, 'truth', 'stock_intervals.csv.gz'))}, types = {'valid_from': 'timestamptz', 'valid_to': 'timestamptz'});
    create or replace table main.truth_mismatch as
    with joint as (
      select distinct p.source, p.truth_source, x.captured_at
      from intermediate.int_comparison_spec p
      join intermediate.int_source_batches x on x.source = p.source and x.entity = 'stock'
      join intermediate.int_source_batches t on t.source = p.truth_source and t.entity = 'stock' and t.captured_at = x.captured_at
    ),
    compared as (
      select s.source, s.location_id, s.sku, s.truth_source, s.measure, s.system_units, g.bucket_at, g.week
      from intermediate.int_compare_segments s
      join intermediate.int_bucket_grid g on g.bucket_at >= s.segment_from and (s.segment_to is null or g.bucket_at < s.segment_to)
      join intermediate.int_source_staleness fs on fs.source = s.source and fs.bucket_at = g.bucket_at and not fs.is_stale
      join intermediate.int_source_staleness ft on ft.source = s.truth_source and ft.bucket_at = g.bucket_at and not ft.is_stale
    ),
    judged as (
      select c.*, j.captured_at as instant
      from compared c
      asof join joint j on j.source = c.source and j.truth_source = c.truth_source and j.captured_at <= c.bucket_at
    ),
    expected as (
      select j.*,
        case when j.measure = 'on_hand' then t.on_hand
          when (case when p.reserve > 0 then least(t.ats, p.reserve) else greatest(0, t.ats - p.other_reserve) end) < p.block_below then 0
          else cast(floor(p.share * case when p.reserve > 0 then least(t.ats, p.reserve) else greatest(0, t.ats - p.other_reserve) end) as integer)
        end as true_units
      from judged j
      join intermediate.int_comparison_spec p using (source, location_id)
      -- The truth's states follow each other without gaps: the one that began last at or before the instant holds it.
      asof left join main.truth_stock t on t.location_id = j.location_id and t.sku = j.sku and t.valid_from <= j.instant
    )
    select bucket_at, week, source, location_id, sku, measure, system_units, coalesce(true_units, 0) as true_units,
      system_units - coalesce(true_units, 0) as diff_units
    from expected
    where system_units <> coalesce(true_units, 0)`);
}

export type SetScore = {
  /** A location, or a source for the sync-priority flags. */
  key: string;
  /** In the truth. */
  truth: number;
  /** In the marts. */
  model: number;
  /** In both. */
  both: number;
};

/**
 * Hidden stock, comparison by comparison: a channel showing fewer units than it could sell
 * (`under` on `available_reported`). Per location: the true hidden comparisons, the marts' and
 * those in both, and the unit-hours each side counts.
 */
export async function scoreHiddenUnits(db: Database): Promise<(SetScore & { truth_unit_hours: number; model_unit_hours: number })[]> {
  return db.rows<SetScore & { truth_unit_hours: number; model_unit_hours: number }>(`
    with truth as (
      select bucket_at, source, location_id, sku, -diff_units as units from main.truth_mismatch where measure = 'available_reported' and diff_units < 0
    ),
    model as (
      select bucket_at, source, location_id, sku, -diff_units as units from marts.fct_mismatch where measure = 'available_reported' and direction = 'under'
    ),
    hours as (select compare_every_minutes / 60 as hours from config.settings),
    scored as (
      select location_id,
        count(t.units)::int as truth, count(m.units)::int as model, count(t.units + m.units)::int as both,
        coalesce(sum(t.units), 0) * any_value(h.hours) as truth_unit_hours, coalesce(sum(m.units), 0) * any_value(h.hours) as model_unit_hours
      from truth t full join model m using (bucket_at, source, location_id, sku), hours h
      group by all
    )
    -- Every location, those with nothing hidden on either side too (the FBA centre's channel).
    select l.location_id as key, coalesce(s.truth, 0) as truth, coalesce(s.model, 0) as model, coalesce(s.both, 0) as both,
      coalesce(s.truth_unit_hours, 0) as truth_unit_hours, coalesce(s.model_unit_hours, 0) as model_unit_hours
    from config.locations l left join scored s using (location_id)
    order by all`);
}

/**
 * Sync-priority flags: rpt_sync_priority's own rule run once more over the true mismatches instead
 * of fct_mismatch (the same SQL, rendered from the model file), against the flags the marts hold.
 * Per source.
 */
export async function scoreSyncFlags(db: Database): Promise<SetScore[]> {
  const project = loadProject(path.resolve('models'));
  const body = compileBody(project.models.get('rpt_sync_priority')!, project);
  const truthBody = body.replaceAll('"marts"."fct_mismatch"', 'main.truth_mismatch_buckets');
  if (truthBody === body) throw new Error('rpt_sync_priority no longer reads marts.fct_mismatch: update scoreSyncFlags');
  await db.run(`
    create or replace table main.truth_mismatch_buckets as select bucket_at, location_id, sku, source from main.truth_mismatch;
    create or replace table main.truth_sync_priority as ${truthBody}`);
  return db.rows<SetScore>(`
    with truth as (select source, sku from main.truth_sync_priority where needs_faster_sync),
    model as (select source, sku from marts.rpt_sync_priority where needs_faster_sync),
    sources as (select distinct source from intermediate.int_comparison_spec)
    select s.source as key,
      (select count(*) from truth t where t.source = s.source)::int as truth,
      (select count(*) from model m where m.source = s.source)::int as model,
      (select count(*) from truth t join model m using (source, sku) where t.source = s.source)::int as both
    from sources s order by all`);
}

/** Precision and recall of a set score; an empty side scores 1 (nothing to miss, nothing wrong). */
export function rateOf(score: SetScore): { precision: number; recall: number } {
  return { precision: score.model === 0 ? 1 : score.both / score.model, recall: score.truth === 0 ? 1 : score.both / score.truth };
}
