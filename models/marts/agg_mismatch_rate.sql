-- Per day, location and source: comparisons made, comparisons mismatched and the mismatch rate (mismatched / compared).
-- materialized: incremental
-- unique_key: [day, location_id, source]
-- incremental_strategy: delete+insert
-- time_column: day
-- tests: not_null(day), not_null(location_id), not_null(source), unique(day, location_id, source), expression(mismatch_rate between 0 and 1), expression(mismatched <= compared)
-- A comparison is one (bucket, location, sku) of a non-stale source whose truth is not stale
-- either, from the pair's first bucket where both had a capture. Counting pairs per
-- first bucket keeps this from expanding the grid: a cohort of pairs costs one row per bucket.
-- An hourly run recomputes the latest day built and the days after it: earlier buckets keep their
-- comparisons (a cause may change later, whether the figures differed does not).
with settings as (
  select compare_every_minutes * 60 as step_seconds from config.settings
),
-- Each pair's first bucket, read off its open segment (every pair has one, its latest).
pair_starts as (
  select s.source, s.location_id, s.truth_source,
    to_timestamp(ceil(epoch(s.pair_from) / g.step_seconds) * g.step_seconds) as first_bucket_at
  from {{ ref('int_compare_segments') }} s, settings g
  where s.segment_to is null
),
cohorts as (
  select source, location_id, truth_source, first_bucket_at, count(*) as pairs
  from pair_starts
  group by all
),
compared as (
  select g.day, c.location_id, c.source, sum(c.pairs) as compared
  from cohorts c
  join (select * from {{ ref('int_bucket_grid') }} where {{ incremental_window('day') }}) g on g.bucket_at >= c.first_bucket_at
  join {{ ref('int_source_staleness') }} fs on fs.source = c.source and fs.bucket_at = g.bucket_at and not fs.is_stale
  join {{ ref('int_source_staleness') }} ft on ft.source = c.truth_source and ft.bucket_at = g.bucket_at and not ft.is_stale
  group by all
),
mismatched as (
  select day, location_id, source, count(*) as mismatched
  from {{ ref('fct_mismatch') }}
  where {{ incremental_window('day') }}
  group by all
)
select
  c.day,
  c.location_id,
  c.source,
  cast(c.compared as bigint) as compared,
  coalesce(m.mismatched, 0) as mismatched,
  coalesce(m.mismatched, 0) / c.compared as mismatch_rate
from compared c
left join mismatched m using (day, location_id, source)
