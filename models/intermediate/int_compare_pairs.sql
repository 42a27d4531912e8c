-- Each compared pair: a system's SKU at a location where the system is compared, with the truth series it is held to, the figure compared (measure) and its channel's allocation rule.
-- materialized: view
-- tests: not_null(series, source, location_id, sku, truth_source)
-- A pair exists from the system's first capture of the SKU there. Every series has exactly one
-- open interval (its latest), so the open intervals list each pair once; they are stored last in
-- int_stock_intervals, and reading them skips the closed ones' row groups.
-- `series` and `truth_series` name the pair's two series by one integer each: the models that
-- sort and join a pair's points carry that integer, not three strings.
select
  hash(i.source, i.location_id, i.sku) as series,
  i.source, i.location_id, i.sku,
  spec.truth_source,
  hash(spec.truth_source, i.location_id, i.sku) as truth_series,
  spec.measure, spec.channel, spec.share, spec.block_below, spec.reserve, spec.other_reserve
from {{ ref('int_stock_intervals') }} i
join {{ ref('int_comparison_spec') }} spec using (source, location_id)
where i.valid_to is null
