-- Change intervals per source, location and SKU: one row per state a system reported, valid from its capture until the next change ([valid_from, valid_to), open while valid_to is null); a full batch that omits a SKU closes it with a 0 row.
-- materialized: incremental
-- unique_key: [source, location_id, sku, valid_from]
-- incremental_strategy: delete+insert
-- time_column: valid_from
-- tests: not_null(source), not_null(location_id), not_null(sku), not_null(valid_from), unique(source, location_id, sku, valid_from), expression(valid_to is null or valid_to > valid_from)
-- History costs changes, not captures x SKUs: a daily full snapshot that repeats
-- yesterday's figures adds no row here. An hourly run reads the captures from the latest change
-- built on, and continues each series it touches from the interval that series was in then (that
-- interval is written again, with the valid_to the new captures give it); a capture older than
-- that arriving late needs `stocklens build --full-refresh`.
with new_rows as not materialized (
  select
    -- One integer per series: partitioning a window by it sorts far faster than by three strings.
    hash(s.source, s.location_id, s.sku) as series,
    s.source, s.location_id, s.sku, s.captured_at, s.quantity_semantics = 'salable' as is_salable,
    s.on_hand, s.committed, s.reserved_other, s.damaged, s.quality_control, s.safety_stock, s.in_transit, s.incoming, s.available_reported,
    false as is_carried, cast(null as timestamptz) as carried_valid_to
  from {{ ref('stg_stock_snapshot') }} s
  where {{ incremental_window('s.captured_at') }}
),
-- Each capture's next full capture of the same source and location (which restates every SKU).
captures as (
  select
    source, location_id, captured_at,
    min(case when is_full then captured_at end) over (
      partition by source, location_id order by captured_at rows between 1 following and unbounded following
    ) as next_full_at
  from {{ ref('int_stock_captures') }}
  where {{ incremental_window('captured_at') }}
),
-- Read by each branch below on its own scan, not materialized first (38M rows at scale m).
captured as not materialized (
  select n.*, c.next_full_at
  from new_rows n
  join captures c using (source, location_id, captured_at)
{% if is_incremental() %}
  union all by name
  -- The interval each touched series was in before the window, standing in for its last capture
  -- there. No full batch between that capture and the window left the series out (it would have
  -- closed the interval), so the next full batch that can is the window's first.
  select
    hash(i.source, i.location_id, i.sku) as series,
    i.source, i.location_id, i.sku, i.valid_from as captured_at, i.quantity_semantics = 'salable' as is_salable,
    i.on_hand, i.committed, i.reserved_other, i.damaged, i.quality_control, i.safety_stock, i.in_transit, i.incoming, i.available_reported,
    f.first_full_at as next_full_at,
    true as is_carried, i.valid_to as carried_valid_to
  from {{ this }} i
  left join (
    select source, location_id, min(captured_at) as first_full_at from {{ ref('int_stock_captures') }}
    where {{ incremental_window('captured_at') }} and is_full group by all
  ) f using (source, location_id)
  where not {{ incremental_window('i.valid_from') }}
    and (i.valid_to is null or {{ incremental_window('i.valid_to') }})
    and (f.first_full_at is not null or hash(i.source, i.location_id, i.sku) in (select series from new_rows))
{% endif %}
),
-- A delta file that leaves a state column out keeps that SKU-location's previous value: the column
-- lands NULL and takes the value of the series' latest capture that stated it, or 0 when a full
-- batch left the SKU out since then (or nothing stated it before); on an hourly run the continued
-- interval stands in for the captures before.
-- The fill's eight last_value windows are the model's costliest part, so only the series of a
-- source whose captures in the window leave a column out go through them (at scale m, Shopify's
-- and Amazon's deltas: a quarter of the rows). The others state every column at every capture, so
-- each capture's kept state is what it says, and the previous capture's is the previous row's.
gapped_sources as (
  select distinct source
  from {{ ref('stg_stock_snapshot') }} s
  where {{ incremental_window('s.captured_at') }}
    and (on_hand is null or committed is null or reserved_other is null or damaged is null
      or quality_control is null or safety_stock is null or in_transit is null or incoming is null)
),
-- previous_<column> is the series' latest capture before the row that stated the column; it also
-- gives the previous row's kept state, so the fill and the comparison with the previous row share
-- one window (one sort of the captures). The frame ends at the current row and excludes it: DuckDB
-- evaluates that faster than one ending 1 preceding, over the same rows.
gapped as (
  select
    *,
    last_value(case when on_hand is not null then {'units': on_hand, 'next_full_at': next_full_at} end ignore nulls) over earlier as previous_on_hand,
    last_value(case when committed is not null then {'units': committed, 'next_full_at': next_full_at} end ignore nulls) over earlier as previous_committed,
    last_value(case when reserved_other is not null then {'units': reserved_other, 'next_full_at': next_full_at} end ignore nulls) over earlier as previous_reserved_other,
    last_value(case when damaged is not null then {'units': damaged, 'next_full_at': next_full_at} end ignore nulls) over earlier as previous_damaged,
    last_value(case when quality_control is not null then {'units': quality_control, 'next_full_at': next_full_at} end ignore nulls) over earlier as previous_quality_control,
    last_value(case when safety_stock is not null then {'units': safety_stock, 'next_full_at': next_full_at} end ignore nulls) over earlier as previous_safety_stock,
    last_value(case when in_transit is not null then {'units': in_transit, 'next_full_at': next_full_at} end ignore nulls) over earlier as previous_in_transit,
    last_value(case when incoming is not null then {'units': incoming, 'next_full_at': next_full_at} end ignore nulls) over earlier as previous_incoming,
    lag(captured_at) over pair as previous_captured_at,
    lag(available_reported) over pair as previous_available_reported,
    lead(captured_at) over pair as next_captured_at,
    lag(next_full_at) over pair as previous_next_full_at
  from captured
  where source in (select source from gapped_sources)
  window
    pair as (partition by series order by captured_at),
    earlier as (partition by series order by captured_at rows between unbounded preceding and current row exclude current row)
),
kept as (
  select
    * exclude (
      previous_on_hand, previous_committed, previous_reserved_other, previous_damaged,
      previous_quality_control, previous_safety_stock, previous_in_transit, previous_incoming,
      previous_captured_at, previous_available_reported
    )
    replace (
      {{ kept_state('on_hand', 'on_hand', 'captured_at') }} as on_hand,
      {{ kept_state('committed', 'committed', 'captured_at') }} as committed,
      {{ kept_state('reserved_other', 'reserved_other', 'captured_at') }} as reserved_other,
      {{ kept_state('damaged', 'damaged', 'captured_at') }} as damaged,
      {{ kept_state('quality_control', 'quality_control', 'captured_at') }} as quality_control,
      {{ kept_state('safety_stock', 'safety_stock', 'captured_at') }} as safety_stock,
      {{ kept_state('in_transit', 'in_transit', 'captured_at') }} as in_transit,
      {{ kept_state('incoming', 'incoming', 'captured_at') }} as incoming
    ),
    -- The previous row's state as it was kept, to tell a change from a repeat.
    case when previous_captured_at is not null then hash(
      {{ kept_state('on_hand', 'null', 'previous_captured_at') }},
      {{ kept_state('committed', 'null', 'previous_captured_at') }},
      {{ kept_state('reserved_other', 'null', 'previous_captured_at') }},
      {{ kept_state('damaged', 'null', 'previous_captured_at') }},
      {{ kept_state('quality_control', 'null', 'previous_captured_at') }},
      {{ kept_state('safety_stock', 'null', 'previous_captured_at') }},
      {{ kept_state('in_transit', 'null', 'previous_captured_at') }},
      {{ kept_state('incoming', 'null', 'previous_captured_at') }},
      previous_available_reported
    ) end as previous_fingerprint
  from gapped
),
-- A series that states every column: the previous row's fingerprint is the previous capture's.
whole as (
  select
    *,
    lag(fingerprint) over pair as previous_fingerprint,
    lead(captured_at) over pair as next_captured_at,
    lag(next_full_at) over pair as previous_next_full_at
  from (
    select *, {{ state_fingerprint('c') }} as fingerprint
    from captured c
    where source not in (select source from gapped_sources)
  )
  window pair as (partition by series order by captured_at)
),
-- Each capture's state as one integer (a whole series' is already taken), and whether it is all 0.
sequenced as (
  select
    *,
    on_hand = 0 and committed = 0 and reserved_other = 0 and damaged = 0 and quality_control = 0 and safety_stock = 0
      and in_transit = 0 and incoming = 0 and coalesce(available_reported, 0) = 0 as is_zero
  from (
    select *, {{ state_fingerprint('k') }} as fingerprint from kept k
    union all by name
    select * from whole
  )
),
changes as (
  select series, source, location_id, sku, captured_at as valid_from, is_salable,
    on_hand, committed, reserved_other, damaged, quality_control, safety_stock, in_transit, incoming, available_reported,
    is_carried, carried_valid_to
  from sequenced
  where next_captured_at is distinct from captured_at  -- two batches at one instant: one wins
    and (
      previous_fingerprint is null
      or fingerprint <> previous_fingerprint
      -- A full batch between the previous row and this one set the SKU to 0 meanwhile.
      or (previous_next_full_at < captured_at and not is_zero)
    )
  union all
  -- The first full batch after this row that does not list the SKU: it is 0 from then on.
  select series, source, location_id, sku, next_full_at, is_salable,
    0, 0, 0, 0, 0, 0, 0, 0, case when available_reported is null then null else 0 end,
    false, null
  from sequenced
  where next_full_at is not null
    and (next_captured_at is null or next_captured_at > next_full_at)
    and not is_zero
)
select * exclude (is_carried, carried_valid_to)
from (
  select
    source, location_id, sku, valid_from,
    lead(valid_from) over (partition by series order by valid_from) as valid_to,
    on_hand, committed, reserved_other, damaged, quality_control, safety_stock, in_transit, incoming, available_reported,
    case when is_salable then 'salable' else 'physical' end as quantity_semantics,
    is_carried, carried_valid_to
  from changes
)
-- A continued interval the window did not close is published already, exactly so.
where not (is_carried and valid_to is not distinct from carried_valid_to)
-- Stored in two runs, each in SKU order: a SKU's rows share a few row groups and DuckDB's min/max
-- zonemaps skip the rest, so a SKU drill-down (fct_stock_position where sku = ?) reads thousands
-- of rows, not all. The second run holds what the next hourly build continues: the open intervals
-- and those the latest capture closed (valid_to at or after the window it starts from), in row
-- groups of their own, which are all it reads of the published table. An hourly slice is sorted
-- the same way (it is appended); a full refresh sorts the whole table again.
order by valid_to is null or valid_to >= (select max(captured_at) from {{ ref('int_stock_captures') }}), sku, location_id, source, valid_from
