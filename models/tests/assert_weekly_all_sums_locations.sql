-- The 'all' grain of the weekly health report is the sum of its 'location' rows.
-- severity: error
select a.week, a.total_units, sum(l.total_units) as location_total, a.stock_cancellations, sum(l.stock_cancellations) as location_cancellations,
  a.oversell_lines, sum(l.oversell_lines) as location_oversells, a.allocation_breach_lines, sum(l.allocation_breach_lines) as location_breaches
from {{ ref('rpt_weekly_health') }} a
join {{ ref('rpt_weekly_health') }} l on l.week = a.week and l.grain = 'location'
where a.grain = 'all'
group by a.week, a.total_units, a.stock_cancellations, a.oversell_lines, a.allocation_breach_lines
having a.total_units <> sum(l.total_units) or a.stock_cancellations <> sum(l.stock_cancellations)
  or a.oversell_lines <> sum(l.oversell_lines) or a.allocation_breach_lines <> sum(l.allocation_breach_lines)
