-- Change intervals of one source, location and SKU follow each other without gaps or overlaps.
-- severity: error
-- Checked where builds write: the series with an interval closed or begun since the latest build's
-- window began (meta.model_intervals), at most a day back, each from there to its open interval.
-- An hourly build continues a series from its open interval, so that is all it can have broken
-- (an interval begun there whose predecessor stayed open shows as two open intervals); sorting all
-- history per series is a large share of an hourly build, and the whole history is checked against a full
-- refresh by test/marts/incremental-marts.test.ts.
with bound as (
  select greatest(
    (select max(valid_from) - interval 1 day from {{ ref('int_stock_intervals') }}),
    (select max(cast(time_from as timestamptz)) from meta.model_intervals where model = 'int_stock_intervals')
  ) as since
),
-- Two scans that DuckDB filters as it reads: the open intervals by their zonemaps, the closed ones
-- by the bound (an interval ends after it begins, which the model's own test checks).
open_intervals as (
  select hash(source, location_id, sku) as series, source, location_id, sku, valid_from, valid_to
  from {{ ref('int_stock_intervals') }} where valid_to is null
),
closed as (
  select hash(source, location_id, sku) as series, source, location_id, sku, valid_from, valid_to
  from {{ ref('int_stock_intervals') }} where valid_to >= (select since from bound)
),
touched as (
  select series from closed
  union
  select series from open_intervals where valid_from >= (select since from bound)
),
recent as (
  select * from closed
  union all
  select * from open_intervals where series in (select series from touched)
)
select source, location_id, sku, valid_from, valid_to, next_from
from (
  select *, lead(valid_from) over (partition by series order by valid_from) as next_from
  from recent
)
where valid_to is distinct from next_from
