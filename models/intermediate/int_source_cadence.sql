-- Per stock source, its sync interval as its data shows it: the median gap in minutes between its stock captures.
-- materialized: table
-- tests: not_null(source), unique(source), expression(sync_minutes > 0)
select source, median(gap_minutes) as sync_minutes
from (
  select source, epoch(captured_at - lag(captured_at) over (partition by source order by captured_at)) / 60 as gap_minutes
  from (select distinct source, captured_at from {{ ref('int_source_batches') }} where entity = 'stock')
)
where gap_minutes is not null
group by source
