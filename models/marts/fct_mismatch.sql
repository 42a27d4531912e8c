-- Every mismatched comparison: a non-stale system's figure against the truth's expected figure per bucket, location and SKU, with direction and probable cause.
-- materialized: incremental
-- unique_key: [bucket_at, location_id, sku, source]
-- incremental_strategy: delete+insert
-- tests: not_null(bucket_at), not_null(location_id), not_null(sku), not_null(source), unique(bucket_at, location_id, sku, source), accepted_values(direction, ['over','under']), accepted_values(probable_cause, ['unsynced_adjustment','transfer_not_reflected','return_before_qc','reservation_ignored','double_deduction','sync_lag','unknown']), expression(diff_units <> 0)
-- Segments expand to buckets only here, where the figures differ; a bucket where the
-- system or the truth is stale is left out: it shows in fct_source_freshness instead.
-- An hourly run expands the segments written again since its last build (their causes may have
-- changed) over all their buckets, and the other segments still open over the new buckets only.
with
{% if is_incremental() %}
-- What the last build wrote: its segments' write time and its latest bucket, read once.
published as (
  select coalesce(max(refreshed_at), '-infinity'::timestamptz) as refreshed_until,
    coalesce(max(bucket_at), '-infinity'::timestamptz) as buckets_until
  from {{ this }}
),
{% endif %}
segments as (
  select m.*, g.bucket_at, g.day, g.week
  from {{ ref('int_mismatch_segments') }} m
  join {{ ref('int_bucket_grid') }} g on g.bucket_at >= m.segment_from and (m.segment_to is null or g.bucket_at < m.segment_to)
{% if is_incremental() %}
  where m.refreshed_at > (select refreshed_until from published)
  union all
  select m.*, g.bucket_at, g.day, g.week
  from {{ ref('int_mismatch_segments') }} m
  join (
    select * from {{ ref('int_bucket_grid') }} where bucket_at > (select buckets_until from published)
  ) g on g.bucket_at >= m.segment_from and (m.segment_to is null or g.bucket_at < m.segment_to)
  where m.refreshed_at <= (select refreshed_until from published)
{% endif %}
)
select
  m.bucket_at,
  m.location_id,
  m.sku,
  m.source,
  m.truth_source,
  m.measure,
  m.channel,
  m.expected_units as truth_units,
  m.system_units,
  m.diff_units,
  case when m.diff_units > 0 then 'over' else 'under' end as direction,
  m.probable_cause,
  m.segment_from as mismatch_since,
  m.day,
  m.week,
  current_timestamp as refreshed_at
from segments m
join {{ ref('int_source_staleness') }} fs on fs.source = m.source and fs.bucket_at = m.bucket_at and not fs.is_stale
join {{ ref('int_source_staleness') }} ft on ft.source = m.truth_source and ft.bucket_at = m.bucket_at and not ft.is_stale
-- In SKU order, as int_stock_intervals: a SKU's mismatches are read through the zonemaps.
order by m.sku, m.location_id, m.source, m.bucket_at
