-- Change intervals of one source, location and SKU follow each other without gaps or overlaps.
-- severity: error
-- Checked where builds write: every series' open interval and the intervals that closed in the
-- last day (an hourly build continues a series from its open interval). Sorting all history per
-- series costs ~25 s at scale m on every build; the whole history is checked against a full
-- refresh by test/marts/incremental-marts.test.ts.
with recent as (
  select source, location_id, sku, valid_from, valid_to
  from {{ ref('int_stock_intervals') }}
  where valid_to is null
    or valid_to >= (select max(valid_from) - interval 1 day from {{ ref('int_stock_intervals') }})
)
select source, location_id, sku, valid_from, valid_to, next_from
from (
  select *, lead(valid_from) over (partition by hash(source, location_id, sku) order by valid_from) as next_from
  from recent
)
where valid_to is distinct from next_from
