-- Where and when a system reported negative on-hand (an ERP allowing negative stock, a negative Odoo quant): its stock records were wrong there; the ATS marts count that stock as 0. is_current: it still does.
-- materialized: table
-- tests: not_null(source), not_null(location_id), not_null(sku), not_null(negative_since), unique(source, location_id, sku, negative_since), expression(not is_current, severity=warn)
-- The warning test is the flag: it fails, as a warning, while any system reports negative stock now.
-- Negative intervals are rare; the filter reads int_stock_intervals' on_hand column alone.
select
  source,
  location_id,
  sku,
  on_hand,
  valid_from as negative_since,
  valid_to as negative_until,
  valid_to is null as is_current
from {{ ref('int_stock_intervals') }}
where on_hand < 0 and quantity_semantics = 'physical'
order by location_id, sku, source, negative_since
