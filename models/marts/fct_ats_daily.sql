-- Per day, location and SKU: the truth's total stock and available-to-sell at the day's last bucket, and the non-sellable rest split by state.
-- materialized: incremental
-- unique_key: [day, location_id, sku]
-- incremental_strategy: delete+insert
-- time_column: day
-- tests: not_null(day), not_null(location_id), not_null(sku), unique(day, location_id, sku), expression(ats_units <= total_units), expression(ats_units >= 0), expression(non_sellable_units >= 0)
-- An hourly run recomputes the latest day built (its last bucket moved on) and the days after it.
with day_ends as (
  select day, bucket_at from {{ ref('int_bucket_grid') }} where is_day_end and {{ incremental_window('day') }}
),
truth as (
  select i.*
{% if is_incremental() %}
  -- The intervals still open or closed since the first day end: two scans that DuckDB filters as it
  -- reads (the open ones by their zonemaps), where one OR of both read all 12M intervals.
  from (
    select * from {{ ref('int_stock_intervals') }} where valid_to is null
    union all
    select * from {{ ref('int_stock_intervals') }} where valid_to > (select min(bucket_at) from day_ends)
  ) i
{% else %}
  from {{ ref('int_stock_intervals') }} i
{% endif %}
  join {{ ref('int_location_truth') }} t on t.location_id = i.location_id and t.truth_source = i.source
),
days as (
select
  d.day,
  t.location_id,
  t.sku,
  t.source as truth_source,
  {{ total_units('t') }} as total_units,
  {{ ats_units('t') }} as ats_units,
  {{ total_units('t') }} - {{ ats_units('t') }} as non_sellable_units,
  greatest(0, -{{ free_units('t') }}) as oversold_units,
  t.committed, t.reserved_other, t.damaged, t.quality_control, t.safety_stock, t.in_transit, t.incoming
from truth t
join day_ends d on d.bucket_at >= t.valid_from and (t.valid_to is null or d.bucket_at < t.valid_to)
)
select * from days
{% if is_incremental() %}
-- Most SKUs end the day as they stood an hour ago: only rows that differ are written again.
except
select * from {{ this }} where {{ incremental_window('day') }}
{% endif %}
