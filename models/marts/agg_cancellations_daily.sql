-- Per local day, location, channel, cancel reason and stock cause: the order lines cancelled that day, their units and revenue.
-- materialized: table
-- tests: not_null(day), unique(day, location_id, channel, cancel_reason, stock_cause), accepted_values(stock_cause, ['confirmed','inferred','none']), expression(lines > 0)
-- A line counts on the day it was cancelled; a line cancelled without a known time, on the day it
-- was placed. The Cancellations page and a location's page read these rows (or the weeks of
-- agg_cancellations_weekly) instead of counting order lines on each request.
-- A table, not incremental: a cancellation's stock cause is decided again when the truth's next
-- capture lands, so a day long built may still change.
with settings as (
  select timezone from config.settings
),
-- Counted per quarter hour first, as in rpt_weekly_health: the local day is worked out for a few
-- thousand instants, not for every line.
quarters as (
  select epoch_us(coalesce(cancelled_at, placed_at)) // 900000000 as quarter, location_id, channel, cancel_reason, stock_cause,
    count(*) as lines, sum(quantity) as units, sum(revenue) as revenue
  from {{ ref('fct_order_line') }}
  where status = 'cancelled'
  group by all
)
select
  cast(timezone(s.timezone, to_timestamp(q.quarter * 900)) as date) as day,
  q.location_id,
  q.channel,
  q.cancel_reason,
  q.stock_cause,
  cast(sum(q.lines) as bigint) as lines,
  sum(q.units) as units,
  sum(q.revenue) as revenue
from quarters q, settings s
group by all
