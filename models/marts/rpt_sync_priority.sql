-- Per source and SKU with mismatches: how often and how long the source disagreed, how fast the SKU sells, the exposure, the largest sync interval that keeps expected oversold units below one a week, and whether it needs a faster sync than the current one.
-- materialized: table
-- tests: not_null(source), not_null(sku), unique(source, sku), expression(mismatch_buckets > 0), expression(max_consecutive >= 1), expression(recommended_sync_minutes > 0), expression(not needs_faster_sync or recommended_sync_minutes < current_sync_minutes)
with settings as (
  select compare_every_minutes from config.settings
),
-- Runs of consecutive mismatched buckets per source, location and SKU (gaps and islands).
runs as (
  select source, location_id, sku, min(bucket_at) as started_at, count(*) as buckets
  from (
    -- Partitioned by one integer: three strings made the window sort most of this model's time.
    select m.source, m.location_id, m.sku, m.bucket_at,
      epoch(bucket_at) / 60 / g.compare_every_minutes - row_number() over (partition by hash(source, location_id, sku) order by bucket_at) as island
    from {{ ref('fct_mismatch') }} m, settings g
  )
  group by source, location_id, sku, island
),
per_sku as (
  select
    r.source, r.sku,
    sum(r.buckets) as mismatch_buckets,
    max(r.buckets) as max_consecutive,
    count(*) as episodes,
    -- Sync lag: how long the source took to show the truth again, one value per episode.
    quantile_cont(r.buckets * g.compare_every_minutes, 0.5) as p50_lag_minutes,
    quantile_cont(r.buckets * g.compare_every_minutes, 0.95) as p95_lag_minutes
  from runs r, settings g
  group by r.source, r.sku
),
compared as (
  select source, sum(compared) as compared_buckets, count(distinct day) as days from {{ ref('agg_mismatch_rate') }} group by source
),
-- Pairs compared per source: each pair has one open segment (its latest), so no distinct is needed.
pairs as (
  select source, count(*) as pairs from {{ ref('int_compare_segments') }} where segment_to is null group by source
),
-- The source's current sync interval: the median gap between its batches.
cadence as (
  select source, sync_minutes from {{ ref('int_source_cadence') }}
),
span as (
  select greatest(1, epoch(max(bucket_at) - min(bucket_at)) / 3600) as hours from {{ ref('int_bucket_grid') }}
),
-- Units sold per hour on the channels the source publishes (every channel for a stock system):
-- the lines are summed per channel and SKU first, so sources meet thousands of rows, not millions.
source_channels as (
  select s.name as source, c.channel from config.sources s join config.channels c on c.source = s.name
  union all
  select s.name, null from config.sources s where not exists (select 1 from config.channels c where c.source = s.name)
),
channel_sales as (
  select channel, sku, sum(quantity) as units from {{ ref('fct_order_line') }} where status <> 'cancelled' group by all
),
sales as (
  select c.source, x.sku, sum(x.units) / any_value(span.hours) as units_per_hour
  from source_channels c
  join channel_sales x on c.channel is null or x.channel = c.channel
  cross join span
  group by all
),
scored as (
  select
    p.source, p.sku, p.mismatch_buckets, p.max_consecutive, p.episodes,
    coalesce(sa.units_per_hour, 0) as units_per_hour,
    p.p50_lag_minutes, p.p95_lag_minutes,
    c.sync_minutes as current_sync_minutes,
    -- Mismatch frequency of the SKU: its mismatched buckets over its share of the compared ones.
    least(1, p.mismatch_buckets / greatest(1, cp.compared_buckets / greatest(1, pr.pairs))) as mismatch_frequency,
    span.hours / 168 as weeks
  from per_sku p
  left join sales sa using (source, sku)
  left join cadence c using (source)
  left join compared cp using (source)
  left join pairs pr using (source)
  cross join span
),
exposed as (
  select
    *,
    mismatch_frequency * units_per_hour * coalesce(current_sync_minutes, 60) / 60 as exposure,
    -- Each episode lasts on average half a sync interval longer than needed; expected oversold
    -- units a week = episodes a week x units an hour x interval / 2, kept below one.
    case when episodes > 0 and units_per_hour > 0
      then 2 * 60 / (episodes / weeks * units_per_hour) end as tolerable_minutes
  from scored
),
recommended as (
  select
    *,
    -- Rounded down to 5 minutes, between 5 minutes and a day.
    cast(greatest(5, least(1440, floor(coalesce(tolerable_minutes, 1440) / 5) * 5)) as integer) as recommended_sync_minutes,
    percent_rank() over (partition by source order by exposure desc) as exposure_rank
  from exposed
)
select
  r.source, r.sku, r.mismatch_buckets, r.max_consecutive, r.episodes, r.units_per_hour, r.p50_lag_minutes, r.p95_lag_minutes,
  -- The bucket counts as durations, so no reader has to know the grid's step.
  r.mismatch_buckets * g.compare_every_minutes as mismatch_minutes,
  r.max_consecutive * g.compare_every_minutes as longest_mismatch_minutes,
  r.exposure,
  r.current_sync_minutes,
  r.recommended_sync_minutes,
  -- The one rule every reader shows (the page's flag, cards and filter, the alert): mismatches
  -- outlive one sync (2+ consecutive buckets), the exposure is in the top tenth of the source's
  -- list, and a faster sync would help: the recommended interval is shorter than the current one.
  -- A long mismatch the current interval already covers has another cause than the sync.
  coalesce(r.max_consecutive >= 2
    and r.exposure > 0
    and r.exposure_rank <= 0.1
    and r.recommended_sync_minutes < r.current_sync_minutes, false) as needs_faster_sync
from recommended r, settings g
