-- Per day and location, for each system compared there and for every system together (source 'ALL'): comparisons made and mismatched, the mismatch rate, and on the 'ALL' rows the order lines placed that day, those oversold and the stock-error cancellations that day.
-- materialized: table
-- tests: not_null(day), not_null(location_id), not_null(source), unique(day, location_id, source), expression(mismatched <= compared), expression(mismatch_rate is null or mismatch_rate between 0 and 1)
-- tests: expression((source = 'ALL') = (order_lines is not null)), expression(oversell_lines <= order_lines), expression(source = 'ALL' or compared > 0)
-- The Warehouses ranking sums these rows over the days it is asked for: the 'ALL' rows, or a
-- chosen system's rows for the comparisons and the 'ALL' rows for the order lines. An order line
-- belongs to a location, not to a system, so its counts are null on a system's rows.
-- A line counts on the local day it was placed; a stock-error cancellation on the day
-- agg_cancellations_daily counts it (cancelled, or placed when the cancel time is unknown).
-- A table, not incremental: a line's oversell and stock cause are decided again when later
-- captures land, so a day long built may still change.
with settings as (
  select timezone from config.settings
),
systems as (
  select day, location_id, source, compared, mismatched
  from {{ ref('agg_mismatch_rate') }}
),
-- Lines are counted per quarter hour first, as in rpt_weekly_health: the local day is worked out
-- for a few thousand instants, not for every line.
placed_quarters as (
  select epoch_us(placed_at) // 900000000 as quarter, location_id,
    count(*) as order_lines,
    count(*) filter (where is_oversell) as oversell_lines
  from {{ ref('fct_order_line') }}
  where location_id is not null
  group by all
),
placed as (
  select cast(timezone(s.timezone, to_timestamp(q.quarter * 900)) as date) as day, q.location_id,
    sum(q.order_lines) as order_lines, sum(q.oversell_lines) as oversell_lines
  from placed_quarters q, settings s
  group by all
),
-- Stock-error cancellations on the day agg_cancellations_daily counts each cancellation.
cancelled as (
  select day, location_id, sum(lines) as stock_cancellations
  from {{ ref('agg_cancellations_daily') }}
  where stock_cause <> 'none' and location_id is not null
  group by all
),
all_systems as (
  select day, location_id, sum(compared) as compared, sum(mismatched) as mismatched
  from systems
  group by all
),
locations as (
  select day, location_id, 'ALL' as source,
    coalesce(a.compared, 0) as compared, coalesce(a.mismatched, 0) as mismatched,
    coalesce(p.order_lines, 0) as order_lines, coalesce(p.oversell_lines, 0) as oversell_lines,
    coalesce(c.stock_cancellations, 0) as stock_cancellations
  from all_systems a
  full join placed p using (day, location_id)
  full join cancelled c using (day, location_id)
)
select
  day,
  location_id,
  source,
  cast(compared as bigint) as compared,
  cast(mismatched as bigint) as mismatched,
  mismatched / nullif(compared, 0) as mismatch_rate,
  cast(order_lines as bigint) as order_lines,
  cast(oversell_lines as bigint) as oversell_lines,
  cast(stock_cancellations as bigint) as stock_cancellations
from (
  select day, location_id, source, compared, mismatched, null as order_lines, null as oversell_lines, null as stock_cancellations from systems
  union all
  select day, location_id, source, compared, mismatched, order_lines, oversell_lines, stock_cancellations from locations
)
