-- The 'ALL' row of the weekly health report is the sum of the locations' rows.
-- severity: error
select a.week, a.total_units, sum(l.total_units) as location_total, a.stock_cancellations, sum(l.stock_cancellations) as location_cancellations
from {{ ref('rpt_weekly_health') }} a
join {{ ref('rpt_weekly_health') }} l on l.week = a.week and l.location_id <> 'ALL'
where a.location_id = 'ALL'
group by a.week, a.total_units, a.stock_cancellations
having a.total_units <> sum(l.total_units) or a.stock_cancellations <> sum(l.stock_cancellations)
