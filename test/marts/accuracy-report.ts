import path from 'node:path';
import { literal, type Database } from '../../db/database.ts';

/** The breakpoint kinds a probable cause can name. */
export const causeKinds = ['unsynced_adjustment', 'transfer_not_reflected', 'return_before_qc', 'reservation_ignored', 'double_deduction', 'sync_lag'] as const;

export interface KindScore {
  kind: string;
  /** Incidents whose evidence could show: units != 0 and a bucket inside it where source and truth were fresh. */
  visible: number;
  recalled: number;
  /** Mismatch rows labelled with this kind, and those inside an incident of the kind on the same source, location and SKU. */
  labelled: number;
  correct: number;
}

/**
 * Scores the built marts against the simulator's truth files (fixtures/README.md): the tables are
 * read by DuckDB straight from `<outDir>/truth`, so every figure can be re-run by hand.
 */
export async function scoreCauses(db: Database, outDir: string): Promise<KindScore[]> {
  await loadTruth(db, outDir);
  return db.rows<KindScore & Record<string, number | string>>(`
    ${causeScoringCtes()}
    select k.kind,
      (select count(*) from visible v where v.kind = k.kind)::int as visible,
      (select count(*) from visible v join recalled r using (incident_id) where v.kind = k.kind)::int as recalled,
      (select count(*) from labelled l where l.kind = k.kind)::int as labelled,
      (select count(*) from labelled l where l.kind = k.kind and l.is_correct)::int as correct
    from (select unnest([${causeKinds.map((kind) => literal(kind)).join(', ')}]) as kind) k
    order by k.kind`);
}

/** Stock-error cancellations: true cause against stock_cause, one row per pair of values. */
export async function scoreCancellations(db: Database): Promise<{ truth: string; model: string; lines: number }[]> {
  return db.rows(`
    select c.true_stock_cause as truth, coalesce(o.stock_cause, 'missing') as model, count(*)::int as lines
    from truth_cancellations c left join marts.fct_order_line o using (order_id, line_id)
    group by all order by all`);
}

/**
 * The truth source's ATS against the simulator's true ATS at every bucket where the truth source
 * captured (every hour for the WMS, the daily report for the FBA centre): per location, how many
 * (bucket, sku) positions were checked and how many differ.
 */
/**
 * Per location, the buckets checked and those whose ATS differs from the simulator's. A negative
 * on_hand the simulator injected into the truth source's files (a `malformed_rows` incident of the
 * pair) lands by contract and counts 0 sellable: such a bucket is `flagged`, not wrong; a negative
 * figure without such an incident is wrong.
 */
export async function scoreTruthAts(db: Database): Promise<{ location_id: string; checked: number; wrong: number; flagged: number }[]> {
  return db.rows(`
    with captured as (
      select s.bucket_at, t.location_id, t.truth_source
      from intermediate.int_source_staleness s
      join intermediate.int_location_truth t on t.truth_source = s.source
      where s.staleness_minutes = 0
    ),
    injected as (
      select distinct source, location_id, sku from truth_incidents where kind = 'malformed_rows'
    ),
    scored as (
      select c.location_id, p.ats is distinct from r.ats as differs, coalesce(p.on_hand < 0, false) and i.sku is not null as is_flagged
      from captured c
      join truth_intervals r on r.location_id = c.location_id and r.valid_from <= c.bucket_at and (r.valid_to is null or c.bucket_at < r.valid_to)
      left join marts.fct_stock_position p on p.bucket_at = c.bucket_at and p.location_id = c.location_id and p.sku = r.sku and p.source = c.truth_source
      left join injected i on i.source = c.truth_source and i.location_id = c.location_id and i.sku = r.sku
    )
    select location_id, count(*)::int as checked, count(*) filter (where differs and not is_flagged)::int as wrong, count(*) filter (where is_flagged)::int as flagged
    from scored group by all order by all`);
}

/** Per outage of a stock source: buckets past max_staleness, those reported stale, mismatches begun or reported meanwhile. */
export async function scoreOutages(db: Database): Promise<{ incident_id: string; source: string; stale_buckets: number; reported_stale: number; mismatches: number }[]> {
  return db.rows(`
    select i.incident_id, i.source,
      count(f.bucket_at)::int as stale_buckets,
      count(f.bucket_at) filter (where f.is_stale)::int as reported_stale,
      (select count(*) from marts.fct_mismatch m
        where m.source = i.source and m.bucket_at >= i.start and m.bucket_at < i."end"
          and (m.mismatch_since >= i.start or m.bucket_at >= i.start + to_minutes(cast(s.max_staleness_minutes as bigint))))::int as mismatches
    from truth_incidents i
    join config.sources s on s.name = i.source
    left join marts.fct_source_freshness f on f.source = i.source
      and f.bucket_at > i.start + to_minutes(cast(s.max_staleness_minutes as bigint)) and f.bucket_at < i."end"
    where i.kind = 'outage'
    group by all order by all`);
}

async function loadTruth(db: Database, outDir: string): Promise<void> {
  const truth = (file: string) => literal(path.join(outDir, 'truth', file));
  await db.run(`
    create or replace table main.truth_incidents as select * from read_csv(${truth('incidents.csv')}, types = {'start': 'timestamptz', 'end': 'timestamptz', 'units': 'integer'});
    create or replace table main.truth_cancellations as select * from read_csv(${truth('cancellations.csv')}, types = {'order_id': 'varchar', 'line_id': 'varchar'});
    create or replace table main.truth_intervals as select * from read_csv(${truth('stock_intervals.csv.gz')}, types = {'valid_from': 'timestamptz', 'valid_to': 'timestamptz'});`);
}

/**
 * Probable causes per location, every cause kind together: recall over the incidents whose
 * evidence could show (as scoreCauses), precision over the mismatch rows labelled with a kind.
 * Every configured location is listed, those with nothing to score too.
 */
export async function scoreCausesByLocation(db: Database, outDir: string): Promise<{ location_id: string; visible: number; recalled: number; labelled: number; correct: number }[]> {
  await loadTruth(db, outDir);
  return db.rows(`
    ${causeScoringCtes()}
    select l.location_id,
      (select count(*) from visible v where v.location_id = l.location_id)::int as visible,
      (select count(*) from visible v join recalled r using (incident_id) where v.location_id = l.location_id)::int as recalled,
      (select count(*) from labelled m where m.location_id = l.location_id)::int as labelled,
      (select count(*) from labelled m where m.location_id = l.location_id and m.is_correct)::int as correct
    from config.locations l order by all`);
}

/**
 * The CTEs both cause scores read: the injected cause incidents with a difference to show
 * (`visible` while neither the system nor the truth was stale), those some mismatch named with
 * their kind in their time (`recalled`), and every mismatch labelled with a cause kind, right when
 * an incident of that kind covers it (`labelled`).
 */
function causeScoringCtes(): string {
  const kinds = causeKinds.map((kind) => literal(kind)).join(', ');
  return `with incidents as (
      select * from truth_incidents where kind in (${kinds}) and units is not null and units <> 0
    ),
    visible as (
      select i.incident_id, i.kind, i.location_id
      from incidents i
      where exists (
        select 1 from intermediate.int_source_staleness s
        join intermediate.int_location_truth t on t.location_id = i.location_id
        join intermediate.int_source_staleness u on u.source = t.truth_source and u.bucket_at = s.bucket_at
        where s.source = i.source and s.bucket_at >= i.start and s.bucket_at < i."end" and not s.is_stale and not u.is_stale)
    ),
    recalled as (
      select distinct i.incident_id
      from incidents i join marts.fct_mismatch m
        on m.source = i.source and m.location_id = i.location_id and m.sku = i.sku and m.probable_cause = i.kind
        and m.bucket_at >= i.start and m.bucket_at <= i."end" + interval 1 hour
    ),
    labelled as (
      select m.probable_cause as kind, m.location_id,
        exists (
          select 1 from truth_incidents i
          where i.source = m.source and i.location_id = m.location_id and i.sku = m.sku and i.kind = m.probable_cause
            and m.bucket_at >= i.start and m.bucket_at <= i."end" + interval 1 hour) as is_correct
      from marts.fct_mismatch m where m.probable_cause in (${kinds})
    )`;
}
