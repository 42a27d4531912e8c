-- Every mismatched segment of a system at a location and SKU, with when its episode began, the system's sync interval and the event that evidences its probable cause: what a warehouse lead acts on.
-- materialized: view
-- tests: expression(source is not null and location_id is not null and sku is not null and probable_cause is not null and diff_units <> 0 and episode_from <= segment_from)
-- A view: the alert rule reads the few segments open at one instant, so a build adds nothing (one
-- combined test reads the view once instead of once per column).
-- An episode is a run of mismatched segments of a pair with no agreement between them; its start is
-- "since when" the system has been wrong, whatever its figure did meanwhile.
with settings as (
  select to_microseconds(cast(lag_lookback_minutes * 60000000 as bigint)) as lookback from config.settings
),
-- Each system's sync interval as its data shows it: the median gap between its stock captures.
cadence as (
  select source, sync_minutes from {{ ref('int_source_cadence') }}
),
flagged as (
  select m.*,
    -- A segment that begins where the pair's previous mismatched one ended continues its episode.
    coalesce(lag(m.segment_to) over pair is distinct from m.segment_from, true) as starts_episode
  from {{ ref('int_mismatch_segments') }} m
  window pair as (partition by source, location_id, sku order by segment_from)
),
segments as (
  select *,
    max(case when starts_episode then segment_from end) over (partition by source, location_id, sku order by segment_from rows between unbounded preceding and current row) as episode_from
  from flagged
),
-- The truth's event behind each cause that names one: the manual adjustment the system missed
-- (one whose delta is exactly the difference first), the transfer out still in transit, the return
-- still in QC. The latest such event of the pair before the segment. One join per cause, each on
-- its own events: a join of every segment with every event of its pair multiplied the rows by 450.
candidates as (
  select s.source, s.location_id, s.sku, s.segment_from, s.diff_units, e.event_id, e.reason, e.reference, e.occurred_at, e.delta
  from segments s cross join settings g
  join {{ ref('stg_inventory_event') }} e
    on e.source = s.truth_source and e.location_id = s.location_id and e.sku = s.sku
    and e.occurred_at <= s.segment_from and e.occurred_at > s.episode_from - g.lookback
  where s.probable_cause = 'unsynced_adjustment' and e.is_manual_adjustment
  union all
  -- A transfer is in transit for up to three days, a return in QC for up to two: a week back covers both.
  select s.source, s.location_id, s.sku, s.segment_from, s.diff_units, e.event_id, e.reason, e.reference, e.occurred_at, e.delta
  from segments s
  join {{ ref('stg_inventory_event') }} e
    on e.source = s.truth_source and e.location_id = s.location_id and e.sku = s.sku
    and e.occurred_at <= s.segment_from and e.occurred_at > s.segment_from - interval 7 days
    and e.reason = case s.probable_cause when 'transfer_not_reflected' then 'transfer_out' else 'return_to_qc' end
  where s.probable_cause in ('transfer_not_reflected', 'return_before_qc') and e.reason in ('transfer_out', 'return_to_qc')
),
evidence as (
  select * from candidates
  qualify row_number() over (partition by source, location_id, sku, segment_from order by delta = -diff_units desc, occurred_at desc, event_id) = 1
)
select
  s.source,
  src.system,
  s.location_id,
  s.sku,
  s.truth_source,
  s.measure,
  s.channel,
  s.segment_from,
  s.segment_to,
  s.episode_from,
  s.expected_units as truth_units,
  s.system_units,
  s.diff_units,
  case when s.diff_units > 0 then 'over' else 'under' end as direction,
  s.probable_cause,
  s.truth_committed,
  s.truth_in_transit,
  s.truth_quality_control,
  c.sync_minutes,
  e.event_id as evidence_event_id,
  e.reason as evidence_reason,
  e.reference as evidence_reference,
  e.occurred_at as evidence_at,
  e.delta as evidence_delta
from segments s
join config.sources src on src.name = s.source
left join cadence c on c.source = s.source
left join evidence e on e.source = s.source and e.location_id = s.location_id and e.sku = s.sku and e.segment_from = s.segment_from
