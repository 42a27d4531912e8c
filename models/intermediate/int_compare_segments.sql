-- Per compared system, location and SKU: segments of time in which neither the system's figure nor the truth's changes, with both figures and their difference (merged change points, no dense grid).
-- materialized: incremental
-- unique_key: [source, location_id, sku, segment_from]
-- incremental_strategy: delete+insert
-- tests: not_null(source), not_null(segment_from), unique(source, location_id, sku, segment_from)
-- Both figures are read at the same instant (int_joint_captures): being behind is staleness
-- (fct_source_freshness, excluded past max_staleness), not a mismatch. A system that captures on
-- time and still shows an old figure is sync_lag.
-- An hourly run touches only the pairs whose system or truth changed since the segments built:
-- each continues from its open segment (written again with its new segment_to) and the agreement
-- that segment remembers; a pair seen for the first time is built from its whole history.
with spec as (
  select * from {{ ref('int_comparison_spec') }}
),
settings as (
  select compare_every_minutes * 60 as step_seconds, abs_tol, rel_tol from config.settings
),
-- Each capture of either side with the joint instant it is compared at.
visible as (
  select * from {{ ref('int_joint_captures') }}
),
{% if is_incremental() %}
-- Each pair's open segment: what the system and the truth showed when the last build ended.
carried as (
  select *, hash(source, location_id, sku) as series, hash(truth_source, location_id, sku) as truth_series
  from {{ this }} where segment_to is null
),
-- Each system's latest published change (none for a system not compared yet): a change of either
-- side after it is new. A pair's latest segment is its open one, so the open segments tell.
built as (
  select s.source, t.built_until
  from (select distinct source from spec) s
  left join (select source, max(segment_from) as built_until from carried group by source) t using (source)
),
-- Per source and location, the earliest latest-change of the systems reading its figures there
-- (a system reads its own; the truth is read by every system compared at the location): every
-- new change is an interval that began after it. A daily feed reaches a day back only where it
-- is compared.
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
changed_pairs as (
  select i.source, i.location_id, i.sku
  from recent_intervals i
  join spec using (source, location_id)
  join built b using (source)
  where b.built_until is null or i.valid_from > b.built_until
  union
  select i.source, i.location_id, i.sku
  from {{ ref('int_stock_intervals') }} i
  join spec using (source, location_id)
  join built b using (source)
  where b.built_until is null
  union
  select c.source, c.location_id, c.sku
  from carried c
  join built b using (source)
  -- Joined on one integer per series, not three strings (every open segment meets the changes).
  join recent_intervals t on hash(t.source, t.location_id, t.sku) = c.truth_series
  where t.valid_from > b.built_until
),
pairs as (
  select hash(p.source, p.location_id, p.sku) as series, p.source, p.location_id, p.sku, c.segment_from as carried_from, b.built_until,
    c.system_units, c.truth_on_hand, c.truth_committed, c.truth_in_transit, c.truth_quality_control, c.truth_ats,
    c.last_agreed_from, c.last_agreed_units, c.pair_from
  from changed_pairs p
  left join carried c on c.series = hash(p.source, p.location_id, p.sku)
  left join built b on b.source = p.source
),
-- The series a new pair reads (its system's and its truth's), usually none.
new_series as (
  select p.series from pairs p where p.carried_from is null
  union
  select hash(spec.truth_source, p.location_id, p.sku) from pairs p join spec using (source, location_id) where p.carried_from is null
),
-- Where points come from: a continued pair needs only its recent changes, a new pair the whole
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
{% else %}
pairs as (
  select distinct hash(i.source, i.location_id, i.sku) as series, i.source, i.location_id, i.sku, cast(null as timestamptz) as carried_from, cast(null as timestamptz) as built_until
  from {{ ref('int_stock_intervals') }} i
  join spec using (source, location_id)
),
point_intervals as (
  select * from {{ ref('int_stock_intervals') }}
),
{% endif %}
system_points as (
  select
    p.series, v.visible_at as changed_at, 2 as priority,
    {'units': case when spec.measure = 'on_hand' then i.on_hand else i.available_reported end} as system,
    null as truth
  from point_intervals i
  -- Joined on the series (one integer, not three strings): the points carry nothing else of the pair.
  join pairs p on p.series = hash(i.source, i.location_id, i.sku)
  join spec on spec.source = i.source and spec.location_id = i.location_id
  join visible v on v.source = i.source and v.truth_source = spec.truth_source and v.captured_at = i.valid_from
  -- Superseded before the next joint instant: never compared.
  where (i.valid_to is null or v.visible_at < i.valid_to)
    -- A continued pair needs only what came after its open segment; no change it already had is
    -- newer than the system's latest published one.
    and (p.carried_from is null or (i.valid_from > p.built_until and v.visible_at > p.carried_from))
),
truth_points as (
  select
    p.series, v.visible_at as changed_at, 1 as priority,
    null as system,
    {'on_hand': t.on_hand, 'committed': t.committed, 'in_transit': t.in_transit, 'quality_control': t.quality_control,
     'ats': {{ ats_units('t') }}} as truth
  from point_intervals t
  join spec on t.source = spec.truth_source and t.location_id = spec.location_id
  join pairs p on p.series = hash(spec.source, t.location_id, t.sku)
  join visible v on v.source = spec.source and v.truth_source = spec.truth_source and v.captured_at = t.valid_from
  where (t.valid_to is null or v.visible_at < t.valid_to)
    and (p.carried_from is null or (t.valid_from > p.built_until and v.visible_at > p.carried_from))
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
  select p.series, s.visible_at as changed_at, 0 as priority, null as system,
    {'on_hand': 0, 'committed': 0, 'in_transit': 0, 'quality_control': 0, 'ats': 0} as truth
  from pairs p join truth_starts s using (source, location_id)
  where p.carried_from is null
),
{% if is_incremental() %}
-- Where a continued pair stood: its open segment, as one point carrying both figures.
carried_points as (
  select c.series, c.carried_from as changed_at, -1 as priority,
    {'units': c.system_units} as system,
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
agreed_before as (
  select cast(null as ubigint) as series,
    cast(null as timestamptz) as last_agreed_from, cast(null as decimal(18, 4)) as last_agreed_units, cast(null as timestamptz) as pair_from
  where false
),
{% endif %}
points as (
  select * from system_points
  union all by name select * from truth_points
  union all by name select * from truth_zero_points
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
-- Still keyed by the series: the pair's names and its spec's come back at the end, after the window
-- below, which sorts these rows too.
segments as (
  select
    f.series,
    f.changed_at as segment_from,
    f.next_changed_at as segment_to,
    f.system.units as system_units,
    spec.measure, spec.share, spec.block_below, spec.reserve, spec.other_reserve,
    f.truth.on_hand as truth_on_hand,
    f.truth.committed as truth_committed,
    f.truth.in_transit as truth_in_transit,
    f.truth.quality_control as truth_quality_control,
    f.truth.ats as truth_ats
  from filled f
  join pairs p using (series)
  join spec using (source, location_id)
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
  p.source, p.location_id, p.sku, spec.truth_source, spec.measure, spec.channel,
  w.segment_from, w.segment_to, w.system_units,
  w.truth_on_hand, w.truth_committed, w.truth_in_transit, w.truth_quality_control, w.truth_ats,
  w.expected_units, w.diff_units, w.is_mismatch, w.refreshed_at, w.last_agreed_from, w.last_agreed_units, w.pair_from
from windowed w
join pairs p using (series)
join spec using (source, location_id)
-- Closed segments first, open ones last: an hourly build continues each pair it touches from its
-- open segment, and DuckDB's zonemaps let it read only the row groups that hold those. Within each,
-- the mismatched segments (a few percent) after the others, so a read of them (int_mismatch_segments)
-- skips the rest by the same zonemaps.
order by segment_to is null, is_mismatch
