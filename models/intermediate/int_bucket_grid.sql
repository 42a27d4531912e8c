-- The comparison grid: one bucket every compare_every from the first capture of any source to the latest, with its day and week in the config's timezone.
-- materialized: table
-- tests: not_null(bucket_at), unique(bucket_at)
with settings as (
  select compare_every_minutes * 60 as step_seconds, timezone from config.settings
),
bounds as (
  select min(captured_at) as first_at, max(captured_at) as last_at
  from {{ ref('int_source_batches') }}
  where entity = 'stock'
),
buckets as (
  select unnest(generate_series(
    -- The first bucket at or after the first capture, the last at or before the latest one.
    to_timestamp(ceil(epoch(b.first_at) / s.step_seconds) * s.step_seconds),
    to_timestamp(floor(epoch(b.last_at) / s.step_seconds) * s.step_seconds),
    to_microseconds(cast(s.step_seconds * 1000000 as bigint))
  )) as bucket_at
  from bounds b, settings s
  where b.first_at is not null
),
located as (
  select b.bucket_at, cast(timezone(s.timezone, b.bucket_at) as date) as day
  from buckets b, settings s
)
select
  bucket_at,
  day,
  cast(date_trunc('week', day) as date) as week,
  -- A daily or weekly stock figure is the value at the period's last bucket.
  bucket_at = max(bucket_at) over (partition by day) as is_day_end,
  bucket_at = max(bucket_at) over (partition by date_trunc('week', day)) as is_week_end
from located
