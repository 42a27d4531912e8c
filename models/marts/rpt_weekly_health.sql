-- Per week and location (grain 'location') and the whole business (grain 'all', location_id 'ALL'): stock and ATS at the week's last bucket, mismatch rate, oversells and allocation breaches, stock-error cancellations and their cost, stock delays and the units channels hid over the week, with last week's values beside them.
-- materialized: table
-- tests: not_null(week), not_null(location_id), not_null(grain), not_null(is_partial), unique(week, location_id), accepted_values(grain, ['location','all']), expression((grain = 'all') = (location_id = 'ALL')), expression(ats_units <= total_units), expression(ats_share is null or ats_share between 0 and 1), expression(mismatch_rate is null or mismatch_rate between 0 and 1), expression(stock_cancel_rate is null or stock_cancel_rate between 0 and 1)
with settings as (
  select timezone from config.settings
),
weeks as (
  select distinct week from {{ ref('int_bucket_grid') }}
),
week_ends as (
  select week, bucket_at, day from {{ ref('int_bucket_grid') }} where is_week_end
),
locations as (
  select location_id from config.locations
),
frame as (
  select w.week, l.location_id from weeks w cross join locations l
),
-- The week's last day of each location, from the daily rollup (the same sums as the SKU rows).
stock as (
  select e.week, a.location_id, sum(a.total_units) as total_units, sum(a.ats_units) as ats_units
  from {{ ref('agg_ats_daily') }} a join week_ends e on e.day = a.day
  group by all
),
mismatch as (
  select week, location_id, sum(compared) as compared, sum(mismatched) as mismatched
  from {{ ref('agg_mismatch_rate_weekly') }} group by all
),
-- Stock a channel could sell but shows as unavailable over the week: the unit-hours of the
-- location's SKUs that had any (one row each in agg_hidden_units_weekly).
hidden as (
  select week, location_id, sum(hidden_unit_hours) as hidden_unit_hours, count(*) as hidden_sku_locations
  from {{ ref('agg_hidden_units_weekly') }}
  group by all
),
-- The hours the week's buckets cover so far: a week in progress averages over its elapsed part.
-- A week is partial when its buckets start after its Monday 00:00 or stop before its end (local
-- time): its counts cover part of a week and are never compared with a whole one.
week_hours as (
  select b.week, count(*) * any_value(g.compare_every_minutes) / 60 as hours,
    cast(timezone(any_value(g.timezone), min(b.bucket_at)) as timestamp) > cast(b.week as timestamp)
      or cast(timezone(any_value(g.timezone), max(b.bucket_at)) as timestamp) + to_minutes(cast(any_value(g.compare_every_minutes) as bigint)) < cast(b.week as timestamp) + interval 7 day as is_partial
  from {{ ref('int_bucket_grid') }} b, config.settings g
  group by b.week
),
-- Lines are counted per quarter hour first (every time zone's offset is a multiple of 15 minutes),
-- so the local week is worked out for a thousand instants, not for every line. The quarter is an
-- integer (quarter hours since 1970): time_bucket on a timestamptz costs a time zone lookup per line.
placed_quarters as (
  select epoch_us(placed_at) // 900000000 as quarter, location_id,
    count(*) as lines,
    count(*) filter (where is_oversell) as oversell_lines,
    count(*) filter (where is_allocation_breach) as allocation_breach_lines,
    count(*) filter (where is_stock_delayed) as stock_delayed_lines,
    count(*) filter (where stock_cause <> 'none') as stock_cancelled_cohort
  from {{ ref('fct_order_line') }} group by all
),
placed as (
  select cast(date_trunc('week', cast(timezone(s.timezone, to_timestamp(q.quarter * 900)) as date)) as date) as week, q.location_id,
    sum(q.lines) as lines, sum(q.oversell_lines) as oversell_lines, sum(q.allocation_breach_lines) as allocation_breach_lines,
    sum(q.stock_delayed_lines) as stock_delayed_lines,
    sum(q.stock_cancelled_cohort) as stock_cancelled_cohort
  from placed_quarters q, settings s group by all
),
-- Stock-error cancellations count in the week a line was cancelled, by the one rule of agg_cancellations_daily.
cancelled as (
  select week, location_id, sum(lines) as stock_cancellations, sum(revenue) as lost_revenue
  from {{ ref('agg_cancellations_weekly') }} where stock_cause <> 'none' group by all
),
per_location as (
  select
    f.week, f.location_id, 'location' as grain,
    coalesce(s.total_units, 0) as total_units,
    coalesce(s.ats_units, 0) as ats_units,
    coalesce(m.compared, 0) as compared,
    coalesce(m.mismatched, 0) as mismatched,
    coalesce(p.lines, 0) as order_lines,
    coalesce(p.oversell_lines, 0) as oversell_lines,
    coalesce(p.allocation_breach_lines, 0) as allocation_breach_lines,
    coalesce(c.stock_cancellations, 0) as stock_cancellations,
    coalesce(p.stock_cancelled_cohort, 0) as stock_cancelled_cohort,
    coalesce(p.stock_delayed_lines, 0) as stock_delayed_lines,
    coalesce(c.lost_revenue, 0) as lost_revenue,
    coalesce(h.hidden_unit_hours, 0) as hidden_unit_hours,
    coalesce(h.hidden_sku_locations, 0) as hidden_sku_locations,
    w.hours as week_hours,
    w.is_partial
  from frame f
  left join week_hours w using (week)
  left join stock s using (week, location_id)
  left join mismatch m using (week, location_id)
  left join placed p using (week, location_id)
  left join cancelled c using (week, location_id)
  left join hidden h using (week, location_id)
),
with_all as (
  select * from per_location
  union all
  select week, 'ALL', 'all', sum(total_units), sum(ats_units), sum(compared), sum(mismatched), sum(order_lines), sum(oversell_lines),
    sum(allocation_breach_lines), sum(stock_cancellations), sum(stock_cancelled_cohort), sum(stock_delayed_lines), sum(lost_revenue),
    sum(hidden_unit_hours), sum(hidden_sku_locations), any_value(week_hours), any_value(is_partial)
  from per_location group by week
),
health as (
  select
    week, location_id, grain,
    cast(total_units as decimal(18, 4)) as total_units,
    cast(ats_units as decimal(18, 4)) as ats_units,
    ats_units / nullif(total_units, 0) as ats_share,
    mismatched / nullif(compared, 0) as mismatch_rate,
    cast(compared as bigint) as compared,
    cast(mismatched as bigint) as mismatched,
    cast(order_lines as bigint) as order_lines,
    cast(oversell_lines as bigint) as oversell_lines,
    cast(allocation_breach_lines as bigint) as allocation_breach_lines,
    cast(stock_cancellations as bigint) as stock_cancellations,
    -- Stock-caused cancellations among the lines placed that week (a cohort rate, so it stays in [0, 1]).
    stock_cancelled_cohort / nullif(order_lines, 0) as stock_cancel_rate,
    cast(stock_delayed_lines as bigint) as stock_delayed_lines,
    cast(lost_revenue as decimal(18, 2)) as lost_revenue,
    -- The average number of units hidden at a time over the week's hours so far.
    hidden_unit_hours / nullif(week_hours, 0) as hidden_units,
    hidden_unit_hours,
    cast(hidden_sku_locations as bigint) as hidden_sku_locations,
    -- Hours of the week the data covers, and whether that is less than the whole week.
    week_hours,
    is_partial
  from with_all
),
-- Last week's values beside each week's, only where both weeks are whole: a partial week (the
-- one in progress, or the first when the data starts mid-week) is never compared with a whole one.
comparable as (
  select *, not is_partial and not coalesce(lag(is_partial) over (partition by location_id order by week), true) as whole_previous
  from health
)
select
  * exclude (whole_previous),
  case when whole_previous then lag(total_units) over previous end as total_units_prev,
  case when whole_previous then lag(ats_units) over previous end as ats_units_prev,
  case when whole_previous then lag(ats_share) over previous end as ats_share_prev,
  case when whole_previous then lag(mismatch_rate) over previous end as mismatch_rate_prev,
  case when whole_previous then lag(oversell_lines) over previous end as oversell_lines_prev,
  case when whole_previous then lag(allocation_breach_lines) over previous end as allocation_breach_lines_prev,
  case when whole_previous then lag(stock_cancellations) over previous end as stock_cancellations_prev,
  case when whole_previous then lag(stock_cancel_rate) over previous end as stock_cancel_rate_prev,
  case when whole_previous then lag(stock_delayed_lines) over previous end as stock_delayed_lines_prev,
  case when whole_previous then lag(lost_revenue) over previous end as lost_revenue_prev,
  case when whole_previous then lag(hidden_units) over previous end as hidden_units_prev,
  case when whole_previous then lag(hidden_sku_locations) over previous end as hidden_sku_locations_prev
from comparable
window previous as (partition by location_id order by week)
