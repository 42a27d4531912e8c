-- Per day and location: the SKUs counted, total stock, available-to-sell and the non-sellable rest by state at the day's last bucket, summed from fct_ats_daily.
-- materialized: incremental
-- unique_key: [day, location_id]
-- incremental_strategy: delete+insert
-- time_column: day
-- tests: not_null(day), not_null(location_id), unique(day, location_id), expression(ats_units <= total_units), expression(non_sellable_units = total_units - ats_units)
-- The dashboard's stock charts and the weekly report read these few hundred rows instead of
-- summing millions of SKU rows on each request (20,000 SKUs x 20 locations at scale m); the
-- SKU drill-down reads fct_ats_daily itself. assert_ats_daily_rollup_matches checks the sums.
select
  day,
  location_id,
  count(*) as skus,
  cast(sum(total_units) as decimal(18, 4)) as total_units,
  cast(sum(ats_units) as decimal(18, 4)) as ats_units,
  cast(sum(non_sellable_units) as decimal(18, 4)) as non_sellable_units,
  cast(sum(committed) as decimal(18, 4)) as committed,
  cast(sum(reserved_other) as decimal(18, 4)) as reserved_other,
  cast(sum(damaged) as decimal(18, 4)) as damaged,
  cast(sum(quality_control) as decimal(18, 4)) as quality_control,
  cast(sum(safety_stock) as decimal(18, 4)) as safety_stock,
  cast(sum(in_transit) as decimal(18, 4)) as in_transit,
  cast(sum(oversold_units) as decimal(18, 4)) as oversold_units
from {{ ref('fct_ats_daily') }}
-- An hourly run sums the latest day built and the days after it, as fct_ats_daily rewrites them.
where {{ incremental_window('day') }}
group by day, location_id
