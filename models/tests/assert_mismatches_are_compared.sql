-- Every mismatched comparison was counted as compared: mismatched never exceeds compared per day, location and source.
-- severity: error
select m.day, m.location_id, m.source, count(*) as mismatched, any_value(a.compared) as compared
from {{ ref('fct_mismatch') }} m
left join {{ ref('agg_mismatch_rate') }} a using (day, location_id, source)
group by all
having count(*) > coalesce(any_value(a.compared), 0)
