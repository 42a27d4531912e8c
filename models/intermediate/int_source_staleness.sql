-- Per bucket and source: the source's latest landed batch at or before the bucket (full or delta), its staleness, whether a held full batch leaves its picture incomplete, and whether it is stale.
-- materialized: table
-- tests: not_null(bucket_at), not_null(source), unique(bucket_at, source)
with batches as (
  select distinct source, captured_at from {{ ref('int_source_batches') }}
),
-- Stock batches, landed or held: while the latest is a held full batch (the empty-extract guard), the rows it would have restated are missing; the next landed batch repairs them.
stock_batches as (
  select source, captured_at, bool_and(status = 'held') as is_held
  from ingest.batches
  where entity = 'stock' and status in ('landed', 'held') and captured_at is not null
  group by all
),
grid as (
  select g.bucket_at, s.name as source, s.max_staleness_minutes
  from {{ ref('int_bucket_grid') }} g cross join config.sources s
)
select
  g.bucket_at,
  g.source,
  b.captured_at as last_captured_at,
  epoch(g.bucket_at - b.captured_at) / 60 as staleness_minutes,
  g.max_staleness_minutes,
  coalesce(f.is_held, false) as is_held,
  -- A source that has sent nothing yet is as stale as one that stopped: nobody hears from it.
  coalesce(epoch(g.bucket_at - b.captured_at) / 60 > g.max_staleness_minutes, true) or coalesce(f.is_held, false) as is_stale
from grid g
asof left join batches b on b.source = g.source and b.captured_at <= g.bucket_at
asof left join stock_batches f on f.source = g.source and f.captured_at <= g.bucket_at
