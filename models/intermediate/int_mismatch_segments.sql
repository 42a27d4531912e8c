-- Mismatched segments with their probable cause: the first cause (docs/metrics.md) that the data shows, checked in its order.
-- materialized: incremental
-- unique_key: [source, location_id, sku, segment_from]
-- incremental_strategy: delete+insert
-- tests: not_null(probable_cause), unique(source, location_id, sku, segment_from), accepted_values(probable_cause, ['unsynced_adjustment','transfer_not_reflected','return_before_qc','reservation_ignored','double_deduction','sync_lag','unknown'])
-- A cause can depend on what followed in the episode and the pair's other mix-ups, so an hourly run
-- classifies anew the whole history of each pair whose mismatched segments were written again or
-- whose manual adjustments landed since.
with settings as (
  select to_microseconds(cast(lag_lookback_minutes * 60000000 as bigint)) as lookback from config.settings
),
-- The pairs classified: on an hourly run, those with a mismatched segment written since, and
-- those whose location and SKU got a manual adjustment since (a movement file landed after the
-- hours it explains: a cycle count can turn a stale copy into a missed adjustment).
{% if is_incremental() %}
classified_until as (
  select coalesce(max(refreshed_at), '-infinity'::timestamptz) as refreshed_at from {{ this }}
),
{% endif %}
pairs as (
  select distinct s.source, s.location_id, s.sku from {{ ref('int_compare_segments') }} s
  where s.is_mismatch
{% if is_incremental() %}
    and (s.refreshed_at > (select refreshed_at from classified_until)
      or hash(s.location_id, s.sku) in (
        select hash(e.location_id, e.sku) from {{ ref('stg_inventory_event') }} e
        where e.is_manual_adjustment and e.refreshed_at > (select refreshed_at from classified_until)))
{% endif %}
),
-- Their segments, narrow: what the earlier-match check needs of every one.
pair_segments as (
  select s.source, s.location_id, s.sku, s.segment_from, s.segment_to, s.expected_units
  from {{ ref('int_compare_segments') }} s
  -- A mark join on one integer per pair (an IN under OR), built on the few pairs: a semi join on
  -- the three strings probed every one of the 11M segments with them.
  where hash(s.source, s.location_id, s.sku) in (select hash(source, location_id, sku) from pairs) or s.segment_from is null
),
mismatched as (
  select
    *,
    -- Whether the system's figure moved at all since the last agreement: one that has not is a
    -- stale copy, whatever else its difference happens to equal.
    bool_or(system_units is distinct from last_agreed_units) over episode as system_moved,
    -- A figure frozen through the episode while the truth's moved on since the last agreement: a
    -- stale copy even when it froze between two buckets, at a value no bucket of the truth shows.
    min(system_units) over episode = max(system_units) over episode
      and (min(expected_units) over episode <> max(expected_units) over episode or expected_units is distinct from last_agreed_units) as is_frozen
  from {{ ref('int_compare_segments') }} s
  semi join pairs p on p.source = s.source and p.location_id = s.location_id and p.sku = s.sku
  where s.is_mismatch
  window episode as (partition by source, location_id, sku, last_agreed_from order by segment_from rows between unbounded preceding and current row)
),
-- Manual adjustments the truth recorded since the last agreement (or within the lookback when the
-- pair never agreed): a system that missed exactly these is off by minus their sum.
adjustments as (
  select m.source, m.location_id, m.sku, m.segment_from, sum(e.delta) as adjusted_units
  from mismatched m cross join settings g
  join {{ ref('stg_inventory_event') }} e
    on e.location_id = m.location_id and e.sku = m.sku and e.is_manual_adjustment
    and e.occurred_at > coalesce(m.last_agreed_from, m.segment_from - g.lookback)
    and e.occurred_at <= m.segment_from
  group by all
),
-- The system shows what the truth expected at an earlier bucket within the lookback: a stale copy.
earlier_match as (
  select distinct m.source, m.location_id, m.sku, m.segment_from
  from mismatched m cross join settings g
  join pair_segments e
    on e.source = m.source and e.location_id = m.location_id and e.sku = m.sku
    and e.segment_from < m.segment_from
    and coalesce(e.segment_to, m.segment_from) > m.segment_from - g.lookback
    and e.expected_units = m.system_units
),
classified as (
  select
    m.*,
    m.truth_committed > 0 and abs(m.diff_units) = m.truth_committed and not m.system_moved as is_ambiguous,
    case
      when a.adjusted_units is not null and a.adjusted_units <> 0 and a.adjusted_units = -m.diff_units then 'unsynced_adjustment'
      when m.truth_in_transit > 0 and m.diff_units = m.truth_in_transit then 'transfer_not_reflected'
      when m.truth_quality_control > 0 and m.diff_units = m.truth_quality_control then 'return_before_qc'
      -- Semantics mixed up means the system computed a figure of its own: it moved since the
      -- last agreement, by exactly the committed units.
      when m.truth_committed > 0 and m.diff_units = m.truth_committed and m.system_moved then 'reservation_ignored'
      when m.truth_committed > 0 and m.diff_units = -m.truth_committed and m.system_moved then 'double_deduction'
      -- A frozen figure off by exactly the committed units fits a stale copy as well as mixed
      -- semantics (orders were all that happened): decided below from the rest of the episode.
      when m.truth_committed > 0 and abs(m.diff_units) = m.truth_committed then null
      when l.segment_from is not null or m.is_frozen then 'sync_lag'
      else 'unknown'
    end as evident_cause
  from mismatched m
  left join adjustments a using (source, location_id, sku, segment_from)
  left join earlier_match l using (source, location_id, sku, segment_from)
),
with_context as (
  select
    c.*,
    -- What the same episode shows plainly, next or before.
    first_value(evident_cause ignore nulls) over (partition by source, location_id, sku, last_agreed_from order by segment_from rows between current row and unbounded following) as next_in_episode,
    last_value(evident_cause ignore nulls) over (partition by source, location_id, sku, last_agreed_from order by segment_from rows between unbounded preceding and current row) as previous_in_episode,
    -- The last semantic mix-up this pair showed plainly, and when.
    last_value(case when evident_cause in ('reservation_ignored', 'double_deduction') then evident_cause end ignore nulls) over earlier as previous_mixup,
    last_value(case when evident_cause in ('reservation_ignored', 'double_deduction') then segment_from end ignore nulls) over earlier as previous_mixup_at,
    first_value(case when evident_cause in ('reservation_ignored', 'double_deduction') then evident_cause end ignore nulls) over later as next_mixup,
    first_value(case when evident_cause in ('reservation_ignored', 'double_deduction') then segment_from end ignore nulls) over later as next_mixup_at
  from classified c
  window
    earlier as (partition by source, location_id, sku order by segment_from rows between unbounded preceding and 1 preceding),
    later as (partition by source, location_id, sku order by segment_from rows between 1 following and unbounded following)
)
select
  m.source, m.location_id, m.sku, m.truth_source, m.measure, m.channel,
  m.segment_from, m.segment_to,
  m.system_units, m.expected_units, m.diff_units,
  m.truth_on_hand, m.truth_committed, m.truth_in_transit, m.truth_quality_control, m.truth_ats,
  case
    when m.evident_cause is not null then m.evident_cause
    when m.next_in_episode in ('reservation_ignored', 'double_deduction', 'sync_lag') then m.next_in_episode
    when m.previous_in_episode in ('reservation_ignored', 'double_deduction', 'sync_lag') then m.previous_in_episode
    -- A pair that plainly mixes semantics within the lookback, before or after, mixes them here too.
    when m.previous_mixup is not null and m.previous_mixup_at > m.segment_from - g.lookback then m.previous_mixup
    when m.next_mixup is not null and m.next_mixup_at < m.segment_from + g.lookback then m.next_mixup
    -- Nothing tells them apart: a figure that never moved since the agreement is a stale copy.
    else 'sync_lag'
  end as probable_cause,
  current_timestamp as refreshed_at
from with_context m, settings g
