-- Change intervals per source, location and SKU: one row per state a system reported, valid from its capture until the next change ([valid_from, valid_to), open while valid_to is null); a full batch that omits a SKU closes it with a 0 row.
-- materialized: table
-- tests: not_null(source), not_null(location_id), not_null(sku), not_null(valid_from), unique(source, location_id, sku, valid_from), expression(valid_to is null or valid_to > valid_from)
-- History costs changes, not captures x SKUs (DESIGN §11): a daily full snapshot that repeats
-- yesterday's figures adds no row here.
with captured as (
  select
    -- One integer per series: partitioning a window by it sorts far faster than by three strings.
    hash(s.source, s.location_id, s.sku) as series,
    s.source, s.location_id, s.sku, s.captured_at, s.quantity_semantics = 'salable' as is_salable,
    s.on_hand, s.committed, s.reserved_other, s.damaged, s.quality_control, s.safety_stock, s.in_transit, s.incoming, s.available_reported,
    c.next_full_at
  from {{ ref('stg_stock_snapshot') }} s
  join {{ ref('int_stock_captures') }} c using (source, location_id, captured_at)
),
sequenced as (
  select
    *,
    hash(on_hand, committed, reserved_other, damaged, quality_control, safety_stock, in_transit, incoming, available_reported) as fingerprint,
    lag(hash(on_hand, committed, reserved_other, damaged, quality_control, safety_stock, in_transit, incoming, available_reported)) over pair as previous_fingerprint,
    lead(captured_at) over pair as next_captured_at,
    lag(next_full_at) over pair as previous_next_full_at,
    on_hand = 0 and committed = 0 and reserved_other = 0 and damaged = 0 and quality_control = 0 and safety_stock = 0
      and in_transit = 0 and incoming = 0 and coalesce(available_reported, 0) = 0 as is_zero
  from captured
  window pair as (partition by series order by captured_at)
),
changes as (
  select series, source, location_id, sku, captured_at as valid_from, is_salable,
    on_hand, committed, reserved_other, damaged, quality_control, safety_stock, in_transit, incoming, available_reported
  from sequenced
  where next_captured_at is distinct from captured_at  -- two batches at one instant: one wins
    and (
      previous_fingerprint is null
      or fingerprint <> previous_fingerprint
      -- A full batch between the previous row and this one set the SKU to 0 meanwhile.
      or (previous_next_full_at < captured_at and not is_zero)
    )
  union all
  -- The first full batch after this row that does not list the SKU: it is 0 from then on (DESIGN §4).
  select series, source, location_id, sku, next_full_at, is_salable,
    0, 0, 0, 0, 0, 0, 0, 0, case when available_reported is null then null else 0 end
  from sequenced
  where next_full_at is not null
    and (next_captured_at is null or next_captured_at > next_full_at)
    and not is_zero
)
select
  source, location_id, sku, valid_from,
  lead(valid_from) over (partition by series order by valid_from) as valid_to,
  on_hand, committed, reserved_other, damaged, quality_control, safety_stock, in_transit, incoming, available_reported,
  case when is_salable then 'salable' else 'physical' end as quantity_semantics
from changes
-- Stored in SKU order, so a SKU's rows share a few row groups and DuckDB's min/max zonemaps skip
-- the rest: a SKU drill-down (fct_stock_position where sku = ?) reads thousands of rows, not all.
order by sku, location_id, source, valid_from
