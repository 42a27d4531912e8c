-- A stale source (or a stale truth) never has a mismatch: it is a freshness exception instead.
-- severity: error
select m.bucket_at, m.source, m.location_id, m.sku
from {{ ref('fct_mismatch') }} m
join {{ ref('fct_source_freshness') }} f
  on f.bucket_at = m.bucket_at and (f.source = m.source or f.source = m.truth_source)
where f.is_stale
