-- The latest truth per location and SKU: total stock (on_hand) against available-to-sell.
-- materialized: table
-- tests: not_null(location_id), not_null(sku), unique(location_id, sku), expression(ats_units <= total_units)
-- Each truth series' open change interval is its latest state (a SKU a full batch left out is 0
-- there), as of the truth's latest capture at the location: reading those few hundred thousand
-- rows costs a fraction of regrouping the snapshots since the latest full batch.
with latest_capture as (
  select source, location_id, max(captured_at) as captured_at from {{ ref('int_stock_captures') }} group by all
)
select
  i.location_id,
  i.sku,
  i.source as truth_source,
  c.captured_at,
  {{ total_units('i') }} as total_units,
  {{ ats_units('i') }} as ats_units,
  {{ total_units('i') }} - {{ ats_units('i') }} as non_sellable_units,
  i.committed, i.reserved_other, i.damaged, i.quality_control, i.safety_stock, i.in_transit
from {{ ref('int_stock_intervals') }} i
join {{ ref('int_location_truth') }} t on t.location_id = i.location_id and t.truth_source = i.source
join latest_capture c on c.source = i.source and c.location_id = i.location_id
where i.valid_to is null
