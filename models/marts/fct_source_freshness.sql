-- Per bucket and source: when the source last sent a batch, how stale that is against its max_staleness, and whether it is stale (a freshness exception instead of mismatches).
-- materialized: table
-- tests: not_null(bucket_at), not_null(source), unique(bucket_at, source), expression(staleness_minutes is null or staleness_minutes >= 0)
select
  s.bucket_at,
  s.source,
  c.system,
  s.last_captured_at,
  s.staleness_minutes,
  s.max_staleness_minutes,
  s.is_held,
  s.is_stale,
  -- The current state is the grid's latest bucket, so answers do not depend on the wall clock.
  s.bucket_at = max(s.bucket_at) over () as is_latest
from {{ ref('int_source_staleness') }} s
join config.sources c on c.name = s.source
