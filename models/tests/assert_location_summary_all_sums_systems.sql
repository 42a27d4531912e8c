-- A location-day's 'ALL' row of agg_location_summary counts the comparisons of its systems' rows.
-- model: agg_location_summary
-- severity: error
select a.day, a.location_id, a.compared, a.mismatched, coalesce(sum(s.compared), 0) as system_compared, coalesce(sum(s.mismatched), 0) as system_mismatched
from {{ ref('agg_location_summary') }} a
left join {{ ref('agg_location_summary') }} s on s.day = a.day and s.location_id = a.location_id and s.source <> 'ALL'
where a.source = 'ALL'
group by a.day, a.location_id, a.compared, a.mismatched
having a.compared <> coalesce(sum(s.compared), 0) or a.mismatched <> coalesce(sum(s.mismatched), 0)
