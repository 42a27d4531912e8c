-- Per week (starting Monday), location and source: comparisons made, mismatched and the mismatch rate, rolled up from the days.
-- materialized: table
-- tests: not_null(week), not_null(location_id), not_null(source), unique(week, location_id, source), expression(mismatch_rate between 0 and 1)
select
  cast(date_trunc('week', day) as date) as week,
  location_id,
  source,
  cast(sum(compared) as bigint) as compared,
  cast(sum(mismatched) as bigint) as mismatched,
  sum(mismatched) / sum(compared) as mismatch_rate
from {{ ref('agg_mismatch_rate') }}
group by all
