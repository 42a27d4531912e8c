-- The latest truth per location and SKU: total stock (on_hand) against available-to-sell (DESIGN §8).
-- materialized: table
-- tests: not_null(location_id), not_null(sku), unique(location_id, sku), expression(ats_units <= total_units)
with truth as (
  select s.*
  from {{ ref('stg_stock_snapshot') }} s
  join config.locations l on l.location_id = s.location_id and l.truth_source = s.source
),
-- A full batch restates every SKU of the source, so only rows since the latest full capture count
-- (found among the captures, not the rows).
latest_full as (
  select source, max(captured_at) as full_at from {{ ref('int_stock_captures') }} where is_full group by source
),
-- One hash aggregation, no sort: arg_max keeps the latest row's fields together.
latest as (
  select arg_max(t, t.captured_at) as row
  from truth t join latest_full f on f.source = t.source and t.captured_at >= f.full_at
  where t.captured_at >= (select min(full_at) from latest_full)
  group by t.location_id, t.sku
),
unpacked as (
  select unnest(row) from latest
)
select
  location_id,
  sku,
  source as truth_source,
  captured_at,
  on_hand as total_units,
  greatest(0, on_hand - committed - reserved_other - damaged - quality_control - safety_stock) as ats_units,
  on_hand - greatest(0, on_hand - committed - reserved_other - damaged - quality_control - safety_stock) as non_sellable_units,
  committed, reserved_other, damaged, quality_control, safety_stock, in_transit
from unpacked
