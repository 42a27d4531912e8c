-- Per source, location and capture time: whether it came in a full batch, and the next full capture after it (which restates every SKU).
-- materialized: table
-- tests: not_null(source), not_null(location_id), unique(source, location_id, captured_at)
select
  source,
  location_id,
  captured_at,
  bool_or(batch_mode = 'full') as is_full,
  min(case when bool_or(batch_mode = 'full') then captured_at end) over (
    partition by source, location_id order by captured_at rows between 1 following and unbounded following
  ) as next_full_at
from {{ ref('stg_stock_snapshot') }}
group by source, location_id, captured_at
