-- Change intervals of one source, location and SKU follow each other without gaps or overlaps.
-- severity: error
-- Checked where builds write: every series' open interval, and the intervals begun or closed since
-- the latest build's window began (meta.model_intervals), at most a day back. An hourly build
-- continues a series from its open interval, so that is all it can have broken; sorting all
-- history per series costs ~25 s at scale m, and the whole history is checked against a full
-- refresh by test/marts/incremental-marts.test.ts.
with bound as (
  select greatest(
    (select max(valid_from) - interval 1 day from {{ ref('int_stock_intervals') }}),
    (select max(cast(time_from as timestamptz)) from meta.model_intervals where model = 'int_stock_intervals')
  ) as since
),
recent as (
  select source, location_id, sku, valid_from, valid_to
  from {{ ref('int_stock_intervals') }}, bound b
  where valid_to is null or valid_to >= b.since or valid_from >= b.since
)
select source, location_id, sku, valid_from, valid_to, next_from
from (
  select *, lead(valid_from) over (partition by hash(source, location_id, sku) order by valid_from) as next_from
  from recent
)
where valid_to is distinct from next_from
