-- One row per order line in its latest captured state (the latest capture wins), with what earlier captures showed: was it ever backordered.
-- materialized: table
-- tests: not_null(order_id), not_null(line_id), unique(order_id, line_id), accepted_values(status, ['open','fulfilled','cancelled','backordered'])
-- One hash aggregation, no sort: arg_max keeps the latest capture's fields together.
with landed as (
  select o.*
  from raw.order_line o
  join ingest.batches b using (batch_id)
  where b.status = 'landed'
),
lines as (
  select
    order_id, line_id,
    arg_max({
      'source': source, 'channel': channel, 'placed_at': placed_at, 'sku': sku, 'quantity': quantity, 'unit_price': unit_price,
      'currency': currency, 'location_id': location_id, 'status': status, 'cancelled_at': cancelled_at,
      'cancel_reason_raw': cancel_reason_raw, 'cancel_reason': cancel_reason, 'shipped_at': shipped_at
    }, captured_at) as latest,
    min(captured_at) as first_captured_at,
    max(captured_at) as last_captured_at,
    arg_min(status, captured_at) as first_status,
    bool_or(status = 'backordered') as was_backordered
  from landed
  group by order_id, line_id
)
select
  order_id, line_id, latest.source, latest.channel, latest.placed_at, latest.sku, latest.quantity, latest.unit_price, latest.currency,
  latest.location_id, latest.status, latest.cancelled_at, latest.cancel_reason_raw, latest.cancel_reason, latest.shipped_at,
  first_captured_at, last_captured_at, first_status, was_backordered
from lines
