-- Change intervals of one source, location and SKU follow each other without gaps or overlaps.
-- severity: error
select source, location_id, sku, valid_from, valid_to, next_from
from (
  select *, lead(valid_from) over (partition by source, location_id, sku order by valid_from) as next_from
  from {{ ref('int_stock_intervals') }}
)
where valid_to is distinct from next_from
