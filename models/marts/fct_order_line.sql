-- One row per order line in its latest state: oversell, stock-caused cancellation (confirmed, inferred or none), delay for stock and the line's revenue.
-- materialized: incremental
-- unique_key: [order_id, line_id]
-- incremental_strategy: delete+insert
-- time_column: last_captured_at
-- tests: not_null(order_id), not_null(line_id), unique(order_id, line_id), accepted_values(stock_cause, ['confirmed','inferred','none']), accepted_values(status, ['open','fulfilled','cancelled','backordered']), expression(delay_hours is null or delay_hours >= 0), expression(stock_cause = 'none' or status = 'cancelled')
-- An hourly run recomputes the lines captured since its last build, every line that shares a
-- location, SKU and truth capture with one of them (the ATS at order counts the lines before it),
-- and the vague cancellations whose next bucket's truth may have landed since.
-- Each line with its location's truth source. Not materialized: an hourly run reads the lines twice
-- (those changed, then those recounted) and never needs a copy of all of them.
with located_lines as not materialized (
  select l.*, t.truth_source
  from {{ ref('stg_order_line') }} l
  left join {{ ref('int_location_truth') }} t on t.location_id = l.location_id
),
truth_batches as (
  select distinct source, captured_at from {{ ref('int_source_batches') }} where entity = 'stock'
),
{% if is_incremental() %}
changed as (
  select l.location_id, l.sku, b.captured_at as truth_captured_at
  from (
    select l.* from located_lines l, config.settings g
    where {{ incremental_window('l.last_captured_at') }}
      or (l.status = 'cancelled' and coalesce(l.cancel_reason, 'other') in ('other', 'staff_error')
        and {{ incremental_window('l.cancelled_at + to_microseconds(cast(g.compare_every_minutes * 60000000 as bigint))') }})
  ) l
  asof left join truth_batches b on b.source = l.truth_source and b.captured_at <= l.placed_at
),
-- Per location and SKU, the earliest truth capture a changed line counts from.
since as (
  select location_id, sku, min(coalesce(truth_captured_at, '-infinity'::timestamptz)) as since
  from changed group by all
),
-- The lines recounted from there (a hash join: an OR in the join condition made it a nested loop
-- over every line).
lines as (
  select l.*
  from located_lines l
  join since c on c.location_id = l.location_id and c.sku = l.sku
  where l.placed_at >= c.since
),
-- The stock history of the lines' SKUs from there on (every line, cancellation and next bucket is
-- later), the columns the joins below read.
stock_intervals as (
  select i.source, i.location_id, i.sku, i.valid_from, i.valid_to,
    i.on_hand, i.committed, i.reserved_other, i.damaged, i.quality_control, i.safety_stock, i.available_reported
  -- The open intervals and those closed after the earliest instant a line counts from: two scans
  -- that DuckDB filters as it reads (the open ones by their zonemaps), so the join meets a
  -- fraction of the 12M intervals.
  from (
    select * from {{ ref('int_stock_intervals') }} where valid_to is null
    union all
    select * from {{ ref('int_stock_intervals') }} where valid_to > (select min(since) from since)
  ) i
  join since c on c.location_id = i.location_id and c.sku = i.sku
  where i.valid_to is null or i.valid_to > c.since
),
{% else %}
lines as (
  select * from located_lines
),
stock_intervals as (
  select * from {{ ref('int_stock_intervals') }}
),
{% endif %}
-- The truth's and the channels' states, narrow and keyed by one integer per series. A series'
-- intervals follow each other without gaps, so the state at an instant is the one interval that
-- holds it: a hash join on the series, much cheaper than an as-of join, which sorts both sides.
truth_states as (
  select
    hash(i.location_id, i.sku) as series, i.valid_from, coalesce(i.valid_to, 'infinity'::timestamptz) as valid_to,
    i.on_hand - i.committed - i.reserved_other - i.damaged - i.quality_control - i.safety_stock as free_units,
    i.on_hand - i.damaged - i.quality_control as shelf_units
  from stock_intervals i
  join {{ ref('int_location_truth') }} t on t.location_id = i.location_id and t.truth_source = i.source
),
channel_states as (
  select hash(i.source, i.location_id, i.sku) as series, i.valid_from, coalesce(i.valid_to, 'infinity'::timestamptz) as valid_to, i.available_reported
  from stock_intervals i
  semi join config.channels c on c.source = i.source
),
-- The truth at placement: its latest capture before the line, less what the lines placed since
-- then committed (the capture cannot know them; shipments move on_hand and committed alike).
placed as (
  select
    l.*,
    b.captured_at as truth_captured_at,
    greatest(0, i.free_units) as truth_ats
  from lines l
  asof left join truth_batches b on b.source = l.truth_source and b.captured_at <= l.placed_at
  left join truth_states i on i.series = hash(l.location_id, l.sku) and i.valid_from <= l.placed_at and l.placed_at < i.valid_to
),
at_order as (
  select
    *,
    truth_ats - coalesce(sum(case when first_status = 'backordered' then 0 else quantity end) over (
      partition by hash(location_id, sku, truth_captured_at) order by placed_at, order_id, line_id
      rows between unbounded preceding and 1 preceding
    ), 0) as location_ats_at_order
  from placed
),
channel_rules as (
  select c.channel, c.source as channel_source, c.share, c.block_below, c.reserve, cl.location_id,
    coalesce((
      select sum(o.reserve) from config.channels o join config.channel_locations ol using (channel)
      where ol.location_id = cl.location_id and o.channel <> c.channel and o.reserve > 0
    ), 0) as other_reserve
  from config.channels c join config.channel_locations cl using (channel)
),
with_channel as (
  select
    a.*,
    r.channel_source,
    -- The allocation rule applied to the location's ATS at order time.
    case
      when r.channel is null then greatest(0, a.location_ats_at_order)
      when (case when r.reserve > 0 then least(greatest(0, a.location_ats_at_order), r.reserve) else greatest(0, a.location_ats_at_order - r.other_reserve) end) < r.block_below then 0
      else floor(r.share * case when r.reserve > 0 then least(greatest(0, a.location_ats_at_order), r.reserve) else greatest(0, a.location_ats_at_order - r.other_reserve) end)
    end as channel_ats_at_order
  from at_order a
  left join channel_rules r on r.channel = a.channel and r.location_id = a.location_id
),
published as (
  select w.*, p.available_reported as channel_available_reported
  from with_channel w
  left join channel_states p
    on p.series = case when w.channel_source is not null then hash(w.channel_source, w.location_id, w.sku) end
    and p.valid_from <= w.placed_at and w.placed_at < p.valid_to
),
vague_cancellations as (
  select l.order_id, l.line_id, l.location_id, l.sku, l.quantity, l.cancelled_at,
    l.cancelled_at + to_microseconds(cast(g.compare_every_minutes * 60000000 as bigint)) as next_bucket_at
  from lines l, config.settings g
  where l.status = 'cancelled' and coalesce(l.cancel_reason, 'other') in ('other', 'staff_error')
),
-- The units on the shelf (neither damaged nor in QC) around the cancellation, the lower of the
-- truth as of the cancellation and as of one bucket later (a capture sees movements late).
shelves as (
  select v.order_id, v.line_id,
    least(b.shelf_units, a.shelf_units) as shelf_units
  from vague_cancellations v
  left join truth_states b on b.series = hash(v.location_id, v.sku) and b.valid_from <= v.cancelled_at and v.cancelled_at < b.valid_to
  left join truth_states a on a.series = hash(v.location_id, v.sku) and a.valid_from <= v.next_bucket_at and v.next_bucket_at < a.valid_to
),
-- A negative count or write-off at that SKU and location in the 48 hours before the cancellation
-- that left the shelf short of the line: the pick found fewer units than the system promised.
shrunk as (
  select distinct v.order_id, v.line_id
  from vague_cancellations v
  join shelves s using (order_id, line_id)
  join {{ ref('stg_inventory_event') }} e
    on e.location_id = v.location_id and e.sku = v.sku and e.delta < 0
    and e.reason in ('cycle_count', 'shrinkage', 'damaged', 'correction')
    and e.occurred_at <= v.cancelled_at and e.occurred_at > v.cancelled_at - interval 48 hours
  where s.shelf_units < v.quantity
)
select
  p.order_id,
  p.line_id,
  p.channel,
  p.placed_at,
  p.sku,
  p.quantity,
  p.unit_price,
  p.currency,
  p.location_id,
  p.status,
  p.cancelled_at,
  p.cancel_reason_raw,
  p.cancel_reason,
  p.shipped_at,
  case
    when p.status <> 'cancelled' then 'none'
    when p.cancel_reason = 'stock_out' then 'confirmed'
    when coalesce(p.cancel_reason, 'other') in ('other', 'staff_error')
      and (p.location_ats_at_order < p.quantity or p.was_backordered or s.order_id is not null) then 'inferred'
    else 'none'
  end as stock_cause,
  -- A backorder taken knowingly is a delay, not an oversell.
  coalesce(p.first_status <> 'backordered'
    and (p.channel_ats_at_order < p.quantity or p.channel_available_reported < 0), false) as is_oversell,
  p.was_backordered as is_stock_delayed,
  case when p.was_backordered and p.shipped_at is not null then epoch(p.shipped_at - p.placed_at) / 3600 end as delay_hours,
  p.quantity * p.unit_price as revenue,
  p.location_ats_at_order,
  p.channel_ats_at_order,
  p.channel_available_reported,
  -- The line's latest capture: what this row knows it as of.
  p.last_captured_at
from published p
left join shrunk s using (order_id, line_id)
