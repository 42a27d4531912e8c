-- Per compared pair: each instant at which one side's figure changes as the comparison sees it, the system's figure or the truth's stock state, read at the joint instant (int_joint_captures) when both sides had captured.
-- materialized: incremental
-- unique_key: [series, changed_at, priority]
-- incremental_strategy: delete+insert
-- tests: not_null(series, source, changed_at), unique(series, changed_at, priority)
-- `priority` orders the points of one instant: 0 the truth's first capture at the location (a SKU
-- it never listed is 0 there), 1 a truth change, 2 a system change. A system point carries
-- system_units, a truth point the truth's figures (the other side's columns are NULL).
-- A capture superseded before its joint instant is never compared; a capture with no joint instant
-- yet gets its point when one comes. A point, once written, never changes: joint instants are
-- fixed once both sides captured, and a capture that lands late rebuilds the models in full.
-- An hourly run writes the points of the captures since each system's latest point (its latest
-- joint instant with a change) and, for a pair seen for the first time, its whole history.
with spec as (
  select * from {{ ref('int_comparison_spec') }}
),
pairs as (
  select * from {{ ref('int_compare_pairs') }}
),
visible as (
  select * from {{ ref('int_joint_captures') }}
),
{% if is_incremental() %}
-- Each system's latest point (none for a system not compared yet): a capture after it is new.
built as (
  select s.source, t.built_until
  from (select distinct source from spec) s
  left join (select source, max(changed_at) as built_until from {{ this }} group by source) t using (source)
),
-- Per source and location, the earliest latest point of the systems reading its figures there
-- (a system reads its own; the truth is read by every system compared at the location). A daily
-- feed reaches a day back only where it is compared.
since as (
  select source, location_id, min(since) as since
  from (
    select spec.source, spec.location_id, b.built_until as since from spec join built b using (source)
    union all
    select spec.truth_source, spec.location_id, b.built_until from spec join built b using (source)
  )
  group by all
),
recent_intervals as (
  select i.*
  from {{ ref('int_stock_intervals') }} i
  join since s using (source, location_id)
  -- The earliest bound first, on the scan (a dynamic filter): the join then meets the few recent
  -- intervals instead of every one.
  where i.valid_from > (select min(since) from since) and i.valid_from > s.since
),
-- A pair is new when it has no point yet: its system was never compared, or its series changed
-- since and it has no start point (every pair gets one once the truth captured at its location).
new_pairs as (
  select p.series, p.truth_series
  from pairs p join built b using (source)
  where b.built_until is null
    or (p.series in (select hash(source, location_id, sku) from recent_intervals)
      and p.series not in (select series from {{ this }} where priority = 0))
),
-- The series whose whole history a new pair reads, usually none.
new_series as (
  select series from new_pairs
  union
  select truth_series from new_pairs
),
-- A continued pair needs only the intervals since its system's latest point, a new pair the whole
-- history of its series.
point_intervals as (
  select * from recent_intervals where hash(source, location_id, sku) not in (select series from new_series)
  union all
  select i.*
  from {{ ref('int_stock_intervals') }} i
  -- A mark join (an IN under OR), which builds its hash table on the new series: as a semi join
  -- DuckDB's estimates (millions of pairs) had it hash every interval instead.
  where hash(i.source, i.location_id, i.sku) in (select series from new_series) or i.valid_from is null
),
paired as (
  select p.*, b.built_until, p.series in (select series from new_pairs) as is_new
  from pairs p join built b using (source)
),
{% else %}
-- Read by each side on its own scan (the columns it needs), not copied whole first.
point_intervals as not materialized (
  select * from {{ ref('int_stock_intervals') }}
),
paired as (
  select p.*, cast(null as timestamptz) as built_until, true as is_new
  from pairs p
),
{% endif %}
-- Each pair's changes of either side, joined on the series (one integer, not three strings).
-- Materialized before the joint instants are looked up: joined the other way round, DuckDB's
-- estimates had it pair every joint instant with every pair first.
system_changes as materialized (
  select p.series, p.source, p.truth_source, i.valid_from, i.valid_to,
    case when p.measure = 'on_hand' then i.on_hand else i.available_reported end as system_units
  from point_intervals i
  join paired p on p.series = hash(i.source, i.location_id, i.sku)
  where p.is_new or i.valid_from > p.built_until
),
truth_changes as materialized (
  select p.series, p.source, p.truth_source, t.valid_from, t.valid_to,
    t.on_hand, t.committed, t.in_transit, t.quality_control, cast({{ ats_units('t') }} as decimal(18, 4)) as ats
  from point_intervals t
  join paired p on p.truth_series = hash(t.source, t.location_id, t.sku) and p.truth_source = t.source
  where p.is_new or t.valid_from > p.built_until
),
system_points as (
  select c.series, c.source, v.visible_at as changed_at, 2 as priority, c.system_units
  from system_changes c
  join visible v on v.source = c.source and v.truth_source = c.truth_source and v.captured_at = c.valid_from
  -- Superseded before the next joint instant: never compared.
  where c.valid_to is null or v.visible_at < c.valid_to
),
truth_points as (
  select
    c.series, c.source, v.visible_at as changed_at, 1 as priority,
    c.on_hand as truth_on_hand, c.committed as truth_committed, c.in_transit as truth_in_transit,
    c.quality_control as truth_quality_control, c.ats as truth_ats
  from truth_changes c
  join visible v on v.source = c.source and v.truth_source = c.truth_source and v.captured_at = c.valid_from
  where c.valid_to is null or v.visible_at < c.valid_to
),
-- A SKU the truth never listed at a location it counts is 0 there from its first capture on.
truth_starts as (
  select spec.source, c.location_id, min(v.visible_at) as visible_at
  from spec
  join {{ ref('int_stock_captures') }} c on c.source = spec.truth_source and c.location_id = spec.location_id
  join visible v on v.source = spec.source and v.truth_source = spec.truth_source and v.captured_at = c.captured_at
  group by all
),
truth_zero_points as (
  select p.series, p.source, s.visible_at as changed_at, 0 as priority,
    0::decimal(18, 4) as truth_on_hand, 0::decimal(18, 4) as truth_committed, 0::decimal(18, 4) as truth_in_transit,
    0::decimal(18, 4) as truth_quality_control, 0::decimal(18, 4) as truth_ats
  from paired p join truth_starts s using (source, location_id)
  where p.is_new or s.visible_at > p.built_until
)
select * from system_points
union all by name select * from truth_points
union all by name select * from truth_zero_points
