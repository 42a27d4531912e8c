-- Every source's figures per bucket, location and SKU (as-of its latest capture at or before the bucket), with ATS, staleness and whether the source is stale there.
-- materialized: view
-- A view over change intervals: the dense grid (670M positions at scale m) is never stored;
-- filter by sku or location and DuckDB only expands those intervals. Its keys are
-- tested where they come from, since a test here would expand the whole grid: int_stock_intervals
-- (unique, not null, no overlaps: models/tests/assert_intervals_do_not_overlap.sql) and
-- int_bucket_grid (unique buckets).
select
  g.bucket_at,
  i.location_id,
  i.sku,
  i.source,
  i.on_hand, i.committed, i.reserved_other, i.damaged, i.quality_control, i.safety_stock, i.in_transit, i.incoming,
  -- A salable feed states its sellable figure directly; a physical one is reduced by its states.
  case when i.quantity_semantics = 'salable' then greatest(0, coalesce(i.available_reported, 0))
    else {{ ats_units('i') }} end as ats,
  i.available_reported,
  i.quantity_semantics,
  i.valid_from as captured_since,
  f.staleness_minutes,
  f.is_stale
from {{ ref('int_stock_intervals') }} i
join {{ ref('int_bucket_grid') }} g on g.bucket_at >= i.valid_from and (i.valid_to is null or g.bucket_at < i.valid_to)
join {{ ref('int_source_staleness') }} f on f.source = i.source and f.bucket_at = g.bucket_at
