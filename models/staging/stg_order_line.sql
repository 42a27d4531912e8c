-- One row per order line in its latest captured state (the latest capture wins), with what earlier captures showed: was it ever backordered.
-- materialized: incremental
-- unique_key: [order_id, line_id]
-- incremental_strategy: merge
-- time_column: last_captured_at
-- tests: not_null(order_id), not_null(line_id), unique(order_id, line_id), accepted_values(status, ['open','fulfilled','cancelled','backordered'])
-- One hash aggregation, no sort: arg_max keeps the latest capture's fields together. An hourly run
-- aggregates the captures from the latest one built on and folds each line's earlier history in
-- from its published row (first capture, first status, ever backordered).
with landed as (
  select o.*
  from raw.order_line o
  join ingest.batches b using (batch_id)
  where b.status = 'landed' and {{ incremental_window('o.captured_at') }}
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
  l.order_id, l.line_id, l.latest.source, l.latest.channel, l.latest.placed_at, l.latest.sku, l.latest.quantity, l.latest.unit_price, l.latest.currency,
  l.latest.location_id, l.latest.status, l.latest.cancelled_at, l.latest.cancel_reason_raw, l.latest.cancel_reason, l.latest.shipped_at,
{% if is_incremental() %}
  least(p.first_captured_at, l.first_captured_at) as first_captured_at,
  greatest(p.last_captured_at, l.last_captured_at) as last_captured_at,
  case when p.first_captured_at <= l.first_captured_at then p.first_status else l.first_status end as first_status,
  coalesce(p.was_backordered, false) or l.was_backordered as was_backordered
from lines l
left join {{ this }} p using (order_id, line_id)
{% else %}
  l.first_captured_at, l.last_captured_at, l.first_status, l.was_backordered
from lines l
{% endif %}
