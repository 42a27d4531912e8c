-- Every landed inventory movement (adjustments, transfers, receipts, returns, QC releases), once per source and event_id.
-- materialized: incremental
-- unique_key: [source, event_id]
-- incremental_strategy: merge
-- time_column: captured_at
-- on_schema_change: append_new_columns
-- tests: not_null(event_id), unique(source, event_id), not_null(occurred_at)
-- One hash aggregation, no sort: an event landed twice keeps its latest batch's version. An hourly
-- run reads the batches captured from the latest one built on; a newer version replaces the row.
with events as (
  select
    e.source, e.event_id,
    arg_max({'occurred_at': e.occurred_at, 'location_id': e.location_id, 'sku': e.sku, 'delta': e.delta, 'reason': e.reason, 'reference': e.reference}, b.captured_at) as event,
    max(b.captured_at) as captured_at
  from raw.inventory_event e
  join ingest.batches b using (batch_id)
  where b.status = 'landed' and {{ incremental_window('b.captured_at') }}
  group by e.source, e.event_id
)
select
  source, event_id, event.occurred_at, event.location_id, event.sku, event.delta, event.reason, event.reference,
  {{ is_manual_adjustment('event.reason') }} as is_manual_adjustment,
  -- The capture of the batch this version came from.
  captured_at,
  -- When this row was written: a movement that landed after the hours it explains (a late file)
  -- makes int_mismatch_segments classify its SKU's mismatches anew.
  current_timestamp as refreshed_at
from events
