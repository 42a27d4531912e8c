-- Per compared pair: segments of time in which neither the system's figure nor the truth's changes, with both figures, the figure expected of the system, their difference and whether it is a mismatch.
-- materialized: incremental
-- unique_key: [source, location_id, sku, segment_from]
-- incremental_strategy: delete+insert
-- tests: not_null(source), not_null(segment_from), unique(source, location_id, sku, segment_from)
-- A segment runs from one point of int_compare_points to the next: both figures were read at the
-- same instant, so being behind is staleness (fct_source_freshness, excluded past max_staleness),
-- not a mismatch. A system that captures on time and still shows an old figure is sync_lag.
-- An hourly run touches only the pairs with points since their system's latest segment: each
-- continues from its open segment (written again with its new segment_to) and the agreement that
-- segment remembers; a pair without an open segment is built from all its points.
with settings as (
  select compare_every_minutes * 60 as step_seconds, abs_tol, rel_tol from config.settings
),
{% if is_incremental() %}
-- Each pair's open segment: what the system and the truth showed when the last build ended.
carried as (
  select *, hash(source, location_id, sku) as series from {{ this }} where segment_to is null
),
-- Each system's latest segment (none for a system not compared yet): a point after it is new. A
-- pair's latest segment is its open one, so the open segments tell.
built as (
  select s.source, t.built_until
  from (select distinct source from {{ ref('int_compare_pairs') }}) s
  left join (select source, max(segment_from) as built_until from carried group by source) t using (source)
),
recent_points as (
  select pt.*
  from {{ ref('int_compare_points') }} pt
  join built b using (source)
  -- The earliest bound first, on the scan (a dynamic filter): the join then meets the few recent
  -- points instead of every one.
  where pt.changed_at > (select min(built_until) from built) and pt.changed_at > b.built_until
  union all
  select pt.*
  from {{ ref('int_compare_points') }} pt
  where pt.source in (select source from built where built_until is null)
),
pairs as (
  select p.*, c.segment_from as carried_from,
    c.system_units as carried_system_units, c.truth_on_hand, c.truth_committed, c.truth_in_transit, c.truth_quality_control, c.truth_ats,
    c.last_agreed_from, c.last_agreed_units, c.pair_from
  from {{ ref('int_compare_pairs') }} p
  left join carried c using (series)
  where p.series in (select series from recent_points)
),
-- A continued pair reads its points after its open segment, a new pair all of them.
pair_points as (
  select pt.*
  from recent_points pt join pairs p using (series)
  where p.carried_from is not null and pt.changed_at > p.carried_from
  union all
  select pt.*
  from {{ ref('int_compare_points') }} pt
  -- A mark join (an IN under OR), built on the few new pairs.
  where pt.series in (select series from pairs where carried_from is null) or pt.changed_at is null
),
-- Where a continued pair stood: its open segment, as one point carrying both figures.
carried_points as (
  select c.series, c.carried_from as changed_at, -1 as priority,
    {'units': c.carried_system_units} as system,
    {'on_hand': c.truth_on_hand, 'committed': c.truth_committed, 'in_transit': c.truth_in_transit, 'quality_control': c.truth_quality_control, 'ats': c.truth_ats} as truth
  from pairs c
  where c.carried_from is not null
),
-- The last agreement before it, which the windows below cannot see.
agreed_before as (
  select c.series, c.last_agreed_from, c.last_agreed_units, c.pair_from
  from pairs c
  where c.carried_from is not null
),
{% else %}
pairs as (
  select * from {{ ref('int_compare_pairs') }}
),
pair_points as (
  select * from {{ ref('int_compare_points') }}
),
agreed_before as (
  select cast(null as ubigint) as series,
    cast(null as timestamptz) as last_agreed_from, cast(null as decimal(18, 4)) as last_agreed_units, cast(null as timestamptz) as pair_from
  where false
),
{% endif %}
points as (
  select series, changed_at, priority,
    case when priority = 2 then {'units': system_units} end as system,
    case when priority < 2 then {'on_hand': truth_on_hand, 'committed': truth_committed, 'in_transit': truth_in_transit, 'quality_control': truth_quality_control, 'ats': truth_ats} end as truth
  from pair_points
{% if is_incremental() %}
  union all by name select * from carried_points
{% endif %}
),
-- Each pair's points in time order, keyed by the series alone: the three strings that name a pair
-- made most of what the sort moves, so they come back from the pairs at the end.
filled as (
  select
    series, changed_at,
    last_value(system ignore nulls) over running as system,
    last_value(truth ignore nulls) over running as truth,
    lead(changed_at) over (partition by series order by changed_at, priority) as next_changed_at
  from points
  window running as (partition by series order by changed_at, priority rows between unbounded preceding and current row)
),
-- Still keyed by the series: the pair's names and its rule come back at the end, after the window
-- below, which sorts these rows too.
segments as (
  select
    f.series,
    f.changed_at as segment_from,
    f.next_changed_at as segment_to,
    f.system.units as system_units,
    p.measure, p.share, p.block_below, p.reserve, p.other_reserve,
    f.truth.on_hand as truth_on_hand,
    f.truth.committed as truth_committed,
    f.truth.in_transit as truth_in_transit,
    f.truth.quality_control as truth_quality_control,
    f.truth.ats as truth_ats
  from filled f
  join pairs p using (series)
  where f.system is not null and f.truth is not null
    -- A truth reporting negative on-hand is known to be wrong there (fct_negative_on_hand flags it):
    -- nothing is compared against it until it reports a real figure again.
    and f.truth.on_hand >= 0
    and (f.next_changed_at is null or f.next_changed_at > f.changed_at)
),
-- Only segments that hold a bucket can be compared (a 15-minute blip between buckets is not).
bucketed as (
  select
    s.* exclude (measure, share, block_below, reserve, other_reserve),
    case when s.measure = 'on_hand' then s.truth_on_hand
      else cast({{ channel_expected_units('s.truth_ats', 's') }} as decimal(18, 4)) end as expected_units
  from segments s, settings g
  where s.segment_to is null
    or to_timestamp(ceil(epoch(s.segment_from) / g.step_seconds) * g.step_seconds) < s.segment_to
),
compared as (
  select
    b.*,
    cast(b.system_units - b.expected_units as decimal(18, 4)) as diff_units,
    abs(b.system_units - b.expected_units) > greatest(g.abs_tol, g.rel_tol * greatest(abs(b.system_units), abs(b.expected_units))) as is_mismatch
  from bucketed b, settings g
  where b.system_units is not null and b.expected_units is not null
),
windowed as (
  select
    c.*,
    -- When this row was written: a model downstream reads the rows written since its own last build.
    current_timestamp as refreshed_at,
    -- Where the last agreement began: what the truth recorded since then, the system may have missed.
    coalesce(max(case when not c.is_mismatch then c.segment_from end) over before, a.last_agreed_from) as last_agreed_from,
    -- What the truth expected then: a system still showing exactly that is a stale copy.
    coalesce(last_value(case when not c.is_mismatch then c.expected_units end ignore nulls) over before, a.last_agreed_units) as last_agreed_units,
    -- When the pair was first compared (its first segment): counting pairs per first bucket reads
    -- one open segment per pair instead of grouping every segment.
    coalesce(a.pair_from, first_value(c.segment_from) over before, c.segment_from) as pair_from
  from compared c
  left join agreed_before a using (series)
  window before as (partition by series order by segment_from rows between unbounded preceding and 1 preceding)
)
select
  p.source, p.location_id, p.sku, p.truth_source, p.measure, p.channel,
  w.segment_from, w.segment_to, w.system_units,
  w.truth_on_hand, w.truth_committed, w.truth_in_transit, w.truth_quality_control, w.truth_ats,
  w.expected_units, w.diff_units, w.is_mismatch, w.refreshed_at, w.last_agreed_from, w.last_agreed_units, w.pair_from
from windowed w
join pairs p using (series)
-- Closed segments first, open ones last: an hourly build continues each pair it touches from its
-- open segment, and DuckDB's zonemaps let it read only the row groups that hold those. Within each,
-- the mismatched segments (a few percent) after the others, so a read of them (int_mismatch_segments)
-- skips the rest by the same zonemaps.
order by segment_to is null, is_mismatch
