-- Per compared system and its truth source: each stock capture of either side, with the instant it is compared at (the first at or after it when both sides captured).
-- materialized: table
-- tests: not_null(source), not_null(truth_source), not_null(captured_at), not_null(visible_at), unique(source, truth_source, captured_at), expression(visible_at >= captured_at)
-- Both figures are read at the same instant: a system that syncs every 6 hours is judged on what it
-- could know at its last sync, so a truth change between two of its syncs shows at the next one.
-- A capture with no joint instant after it yet is not compared until one comes.
with stock_batches as (
  select distinct source, captured_at from {{ ref('int_source_batches') }} where entity = 'stock'
),
sides as (
  select distinct source, truth_source from {{ ref('int_comparison_spec') }}
),
joint as (
  select p.source, p.truth_source, x.captured_at
  from sides p
  join stock_batches x on x.source = p.source
  join stock_batches t on t.source = p.truth_source and t.captured_at = x.captured_at
),
captures as (
  select distinct p.source, p.truth_source, b.captured_at
  from sides p join stock_batches b on b.source = p.source or b.source = p.truth_source
)
select c.source, c.truth_source, c.captured_at, j.captured_at as visible_at
from captures c
asof join joint j on j.source = c.source and j.truth_source = c.truth_source and j.captured_at >= c.captured_at
