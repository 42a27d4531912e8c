-- One row per order line in its latest state: oversell (the business sold a unit it could not fulfil), allocation breach (the channel sold beyond its allocation while the location had the units), stock-caused cancellation (confirmed, inferred or none), delay for stock and the line's revenue.
-- materialized: incremental
-- unique_key: [order_id, line_id]
-- incremental_strategy: delete+insert
-- time_column: last_captured_at
-- tests: not_null(order_id), not_null(line_id), unique(order_id, line_id), accepted_values(stock_cause, ['confirmed','inferred','none']), accepted_values(status, ['open','fulfilled','cancelled','backordered']), expression(delay_hours is null or delay_hours >= 0), expression(stock_cause = 'none' or status = 'cancelled')
-- tests: expression(not (is_oversell and is_allocation_breach)), expression(not is_oversell or first_status <> 'backordered'), expression(not is_oversell or status <> 'fulfilled' or is_stock_delayed)
-- An hourly run recomputes the lines captured since its last build, every line counted against the
-- same location, SKU and truth capture as one of them or as one's cancellation (the ATS at order
-- counts the lines before it), the vague cancellations whose next bucket's truth may have landed
-- since, and the open lines a truth capture landed since may confirm.
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
-- The sources that send movements (the WMS's events). A truth source without them (Amazon's FBA
-- report) shows units lost between two counts only as the later count short of what the lines explain.
movement_sources as (
  select distinct source from {{ ref('int_source_batches') }} where entity = 'events'
),
{% if is_incremental() %}
-- The truth sources that captured from the window's start on, with their capture before it: an
-- open line sold since that capture may be confirmed by the new one. (A capture older than one
-- already built turns the build into a full refresh, so new captures are never before the window.)
confirming as (
  select source, coalesce(max(captured_at) filter (where not {{ incremental_window('captured_at') }}), '-infinity'::timestamptz) as captured_before
  from truth_batches
  group by source
  having bool_or({{ incremental_window('captured_at') }})
),
-- The instants whose truth capture must be counted again: placements and cancellations captured
-- since, vague cancellations whose next bucket may have landed, open lines a new capture may confirm.
touched as (
  select l.location_id, l.sku, l.truth_source, l.placed_at as at
  from located_lines l, config.settings g
  where {{ incremental_window('l.last_captured_at') }}
    or (l.status = 'cancelled' and {{ is_vague_cancel_reason('l.cancel_reason') }}
      and {{ incremental_window('l.cancelled_at + to_microseconds(cast(g.compare_every_minutes * 60000000 as bigint))') }})
  union all
  select l.location_id, l.sku, l.truth_source, l.cancelled_at
  from located_lines l
  where {{ incremental_window('l.last_captured_at') }} and l.cancelled_at is not null
  union all
  select l.location_id, l.sku, l.truth_source, l.placed_at
  from located_lines l
  join confirming c on c.source = l.truth_source
  where l.placed_at >= c.captured_before and l.first_status <> 'backordered'
    and (l.status = 'open' or (l.status = 'cancelled' and {{ is_vague_cancel_reason('l.cancel_reason') }}))
),
changed as (
  select t.location_id, t.sku, b.captured_at as truth_captured_at
  from touched t
  asof left join truth_batches b on b.source = t.truth_source and b.captured_at <= t.at
),
-- Per location and SKU, the earliest truth capture a changed line counts from.
since as (
  select location_id, sku, min(coalesce(truth_captured_at, '-infinity'::timestamptz)) as since
  from changed group by all
),
-- The lines recounted from there (a hash join: an OR in the join condition made it a nested loop
-- over every line), and the earlier lines cancelled since, whose units came free in a recounted count.
lines as (
  select l.*, true as is_recounted
  from located_lines l
  join since c on c.location_id = l.location_id and c.sku = l.sku
  where l.placed_at >= c.since
  union all
  select l.*, false
  from located_lines l
  join since c on c.location_id = l.location_id and c.sku = l.sku
  -- The earliest bound first, on the scan: the join then meets the few recent cancellations.
  where l.cancelled_at >= (select min(since) from since) and l.placed_at < c.since and l.cancelled_at >= c.since
),
-- The stock history of the lines' SKUs from there on (every line, cancellation and next capture is
-- later), the columns the joins below read.
stock_intervals as (
  select i.source, i.location_id, i.sku, i.valid_from, i.valid_to,
    i.on_hand, i.committed, i.reserved_other, i.damaged, i.quality_control, i.safety_stock, i.incoming, i.available_reported
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
  select *, true as is_recounted from located_lines
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
    {{ free_units('i') }} as free_units,
    i.on_hand - i.damaged - i.quality_control as shelf_units,
    i.incoming
  from stock_intervals i
  join {{ ref('int_location_truth') }} t on t.location_id = i.location_id and t.truth_source = i.source
),
channel_states as (
  select hash(i.source, i.location_id, i.sku) as series, i.valid_from, coalesce(i.valid_to, 'infinity'::timestamptz) as valid_to, i.available_reported
  from stock_intervals i
  semi join config.channels c on c.source = i.source
),
-- The truth's latest capture before the line and its free units then.
placed as (
  select
    l.*,
    b.captured_at as truth_captured_at,
    i.free_units as capture_free_units,
    i.incoming as capture_incoming
  from lines l
  asof left join truth_batches b on b.source = l.truth_source and b.captured_at <= l.placed_at
  left join truth_states i on i.series = hash(l.location_id, l.sku) and i.valid_from <= l.placed_at and l.placed_at < i.valid_to
  where l.is_recounted
),
-- What moved the location's free units after a capture, as the lines tell it (the capture cannot
-- know them): a line sold takes its units, a sold line cancelled gives them back. Shipping moves
-- on_hand and committed alike; a backorder taken knowingly commits nothing.
movements as (
  select *, hash(location_id, sku, truth_captured_at) as counted_in, placed_at as moved_at, 0 as movement, quantity as taken_units
  from placed
  union all by name
  select hash(l.location_id, l.sku, b.captured_at) as counted_in, l.cancelled_at as moved_at, 1 as movement, -l.quantity as taken_units
  from lines l
  asof join truth_batches b on b.source = l.truth_source and b.captured_at <= l.cancelled_at
  where l.status = 'cancelled' and l.first_status <> 'backordered'
),
-- The location's free units at placement: the capture's, less what the movements before the line took;
-- and at the next capture as the lines tell it: the capture's, less what all movements until then took.
at_order as (
  select
    * exclude (counted_in, moved_at, movement, taken_units, capture_free_units),
    capture_free_units - coalesce(sum(case when first_status = 'backordered' then 0 else taken_units end) over (
      partition by counted_in order by moved_at, movement, order_id, line_id
      rows between unbounded preceding and 1 preceding
    ), 0) as location_ats_at_order,
    capture_free_units - coalesce(sum(case when first_status = 'backordered' then 0 else taken_units end) over (partition by counted_in), 0) as free_units_by_lines
  from movements
  qualify movement = 0
),
with_channel as (
  select
    a.*,
    r.source as channel_source,
    case
      when r.channel is null then greatest(0, a.location_ats_at_order)
      else {{ channel_expected_units('greatest(0, a.location_ats_at_order)', 'r') }}
    end as channel_ats_at_order
  from at_order a
  left join {{ ref('int_channel_allocation') }} r on r.channel = a.channel and r.location_id = a.location_id
),
published as (
  select w.*, p.available_reported as channel_available_reported
  from with_channel w
  left join channel_states p
    on p.series = case when w.channel_source is not null then hash(w.channel_source, w.location_id, w.sku) end
    and p.valid_from <= w.placed_at and w.placed_at < p.valid_to
),
-- An open line sold short is confirmed by the next truth capture after it: still short of units
-- (more promised than the location can give). A vague cancellation where the truth sends no
-- movements is judged by it too: fewer free units than the lines explain mean units were lost.
-- Only those lines are looked up.
next_captures as (
  select p.order_id, p.line_id, b.captured_at as next_truth_captured_at, i.free_units as next_free_units, i.incoming as next_incoming
  from published p
  asof join truth_batches b on b.source = p.truth_source and b.captured_at > p.placed_at
  left join truth_states i on i.series = hash(p.location_id, p.sku) and i.valid_from <= b.captured_at and b.captured_at < i.valid_to
  where p.first_status <> 'backordered' and (
    (p.status = 'open' and p.location_ats_at_order < p.quantity)
    or (p.status = 'cancelled' and {{ is_vague_cancel_reason('p.cancel_reason') }} and p.truth_source not in (select source from movement_sources)))
),
vague_cancellations as (
  select l.order_id, l.line_id, l.location_id, l.sku, l.quantity, l.cancelled_at,
    l.cancelled_at + to_microseconds(cast(g.compare_every_minutes * 60000000 as bigint)) as next_bucket_at
  from lines l, config.settings g
  where l.is_recounted and l.status = 'cancelled' and {{ is_vague_cancel_reason('l.cancel_reason') }}
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
    on e.location_id = v.location_id and e.sku = v.sku and e.delta < 0 and e.is_manual_adjustment
    and e.occurred_at <= v.cancelled_at and e.occurred_at > v.cancelled_at - interval 48 hours
  where s.shelf_units < v.quantity
),
outcomes as (
  select
    p.*,
    n.next_truth_captured_at,
    n.next_free_units,
    case
      when p.status <> 'cancelled' then 'none'
      when p.cancel_reason = 'stock_out' then 'confirmed'
      when {{ is_vague_cancel_reason('p.cancel_reason') }}
        and (p.location_ats_at_order < p.quantity or p.was_backordered or s.order_id is not null
          -- Counted short: the next count has fewer free units than the capture the line was sold
          -- against less the lines' movements, plus what arrived (the drop in units inbound).
          or n.next_free_units < p.free_units_by_lines + greatest(0, p.capture_incoming - n.next_incoming)) then 'inferred'
      else 'none'
    end as stock_cause
  from published p
  left join next_captures n using (order_id, line_id)
  left join shrunk s using (order_id, line_id)
),
judged as (
  select
    *,
    -- Sold (not taken as a backorder) and then not fulfilled on time for want of stock: cancelled for
    -- stock (said, or inferred from the stock at placement or a short pick), made to wait for stock
    -- after the sale, or still open while the next capture shows the location short.
    coalesce(first_status <> 'backordered' and (
      stock_cause <> 'none'
      or was_backordered
      or (status = 'open' and location_ats_at_order < quantity and next_free_units < 0)
    ), false) as is_oversell
  from outcomes
)
select
  order_id,
  line_id,
  channel,
  placed_at,
  sku,
  quantity,
  unit_price,
  currency,
  location_id,
  status,
  first_status,
  cancelled_at,
  cancel_reason_raw,
  cancel_reason,
  shipped_at,
  stock_cause,
  is_oversell,
  -- The channel sold beyond what its allocation rule gave it while the location had the units.
  coalesce(not is_oversell and first_status <> 'backordered' and location_ats_at_order >= quantity
    and (channel_ats_at_order < quantity or channel_available_reported < 0), false) as is_allocation_breach,
  was_backordered as is_stock_delayed,
  case when was_backordered and shipped_at is not null then epoch(shipped_at - placed_at) / 3600 end as delay_hours,
  quantity * unit_price as revenue,
  truth_captured_at,
  location_ats_at_order,
  channel_ats_at_order,
  channel_available_reported,
  next_truth_captured_at,
  -- The line's latest capture: what this row knows it as of.
  last_captured_at
from judged
