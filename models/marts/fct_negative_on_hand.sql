-- Where a system reports negative on-hand now (an ERP allowing negative stock, a negative Odoo quant): its stock records are wrong there; everywhere else that stock counts as 0 sellable.
-- materialized: table
-- tests: not_null(source), not_null(location_id), not_null(sku), unique(source, location_id, sku), expression(on_hand >= 0, severity=warn)
-- The warning test is the flag: it fails, as a warning, while any system reports negative stock.
-- Only open intervals are read (the latest state of each series), a few row groups of the table.
select
  source,
  location_id,
  sku,
  on_hand,
  valid_from as negative_since
from {{ ref('int_stock_intervals') }}
where valid_to is null and on_hand < 0 and quantity_semantics = 'physical'
order by location_id, sku, source
