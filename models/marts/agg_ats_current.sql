-- Per configured location: total stock and ATS from the truth's latest counts (the sums of fct_ats_current's SKU rows) and when the truth last counted there; a location its truth never counted reads 0 with no time.
-- materialized: table
-- tests: not_null(location_id), unique(location_id), expression(ats_units <= total_units)
select
  l.location_id,
  l.name as location_name,
  coalesce(sum(a.total_units), 0) as total_units,
  coalesce(sum(a.ats_units), 0) as ats_units,
  max(a.captured_at) as captured_at
from config.locations l
left join {{ ref('fct_ats_current') }} a using (location_id)
group by all
