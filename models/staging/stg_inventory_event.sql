-- Every landed inventory movement (adjustments, transfers, receipts, returns, QC releases), once per source and event_id.
-- materialized: table
-- tests: not_null(event_id), unique(source, event_id), not_null(occurred_at)
select e.source, e.event_id, e.occurred_at, e.location_id, e.sku, e.delta, e.reason, e.reference,
  -- The manual adjustments DESIGN §8 names for unsynced_adjustment: counts and write-offs a person keyed in.
  e.reason in ('cycle_count', 'correction', 'shrinkage', 'damaged', 'found') as is_manual_adjustment
from raw.inventory_event e
join ingest.batches b using (batch_id)
where b.status = 'landed'
qualify row_number() over (partition by e.source, e.event_id order by b.captured_at desc, e.batch_id desc) = 1
