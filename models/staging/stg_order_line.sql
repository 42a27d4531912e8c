-- One row per order line in its latest captured state (the latest capture wins), with what earlier captures showed: was it ever backordered.
-- materialized: table
-- tests: not_null(order_id), not_null(line_id), unique(order_id, line_id), accepted_values(status, ['open','fulfilled','cancelled','backordered'])
with landed as (
  select o.*
  from raw.order_line o
  join ingest.batches b using (batch_id)
  where b.status = 'landed'
),
history as (
  select
    order_id, line_id,
    min(captured_at) as first_captured_at,
    max(captured_at) as last_captured_at,
    arg_min(status, captured_at) as first_status,
    bool_or(status = 'backordered') as was_backordered
  from landed
  group by order_id, line_id
),
latest as (
  select *
  from landed
  qualify row_number() over (partition by order_id, line_id order by captured_at desc, batch_id desc) = 1
)
select
  l.order_id, l.line_id, l.source, l.channel, l.placed_at, l.sku, l.quantity, l.unit_price, l.currency,
  l.location_id, l.status, l.cancelled_at, l.cancel_reason_raw, l.cancel_reason, l.shipped_at,
  h.first_captured_at, h.last_captured_at, h.first_status, h.was_backordered
from latest l
join history h using (order_id, line_id)
