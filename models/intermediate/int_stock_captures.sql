-- Per source, location and capture time: whether it came in a full batch (which restates every SKU the source has there).
-- materialized: incremental
-- unique_key: [source, location_id, captured_at]
-- incremental_strategy: delete+insert
-- time_column: captured_at
-- tests: not_null(source), not_null(location_id), unique(source, location_id, captured_at)
-- An hourly run reads only the captures at or after the latest one built (DuckDB skips the older
-- row groups of raw.stock_snapshot by their min/max captured_at).
select
  source,
  location_id,
  captured_at,
  bool_or(batch_mode = 'full') as is_full
from {{ ref('stg_stock_snapshot') }}
where {{ incremental_window('captured_at') }}
group by source, location_id, captured_at
