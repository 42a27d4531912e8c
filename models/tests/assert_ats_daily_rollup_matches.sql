-- Each day and location of agg_ats_daily holds exactly the sums of fct_ats_daily's SKU rows there.
-- model: agg_ats_daily
-- severity: error
with detail as (
  select day, location_id, count(*) as skus, sum(total_units) as total_units, sum(ats_units) as ats_units,
    sum(non_sellable_units) as non_sellable_units, sum(committed) as committed, sum(damaged) as damaged
  from {{ ref('fct_ats_daily') }}
  group by day, location_id
)
select d.day, d.location_id, d.skus, r.skus as rollup_skus, d.total_units, r.total_units as rollup_total_units, d.ats_units, r.ats_units as rollup_ats_units
from detail d
full join {{ ref('agg_ats_daily') }} r using (day, location_id)
where d.skus is distinct from r.skus
  or d.total_units is distinct from r.total_units
  or d.ats_units is distinct from r.ats_units
  or d.non_sellable_units is distinct from r.non_sellable_units
  or d.committed is distinct from r.committed
  or d.damaged is distinct from r.damaged
