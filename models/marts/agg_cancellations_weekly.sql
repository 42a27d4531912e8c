-- Per week (starting Monday), location, channel, cancel reason and stock cause: the order lines cancelled that week, their units and revenue, rolled up from the days.
-- materialized: table
-- tests: not_null(week), unique(week, location_id, channel, cancel_reason, stock_cause), expression(lines > 0)
select
  cast(date_trunc('week', day) as date) as week,
  location_id,
  channel,
  cancel_reason,
  stock_cause,
  cast(sum(lines) as bigint) as lines,
  sum(units) as units,
  sum(revenue) as revenue
from {{ ref('agg_cancellations_daily') }}
group by all
