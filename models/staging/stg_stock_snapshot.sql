-- Every landed stock row of every source on the canonical stock_snapshot; held or failed batches are left out.
-- materialized: view
-- The vendor's raw row stays in raw.stock_snapshot: carrying it through the models costs time at scale.
-- A salable feed (Amazon's merchant quantity, a storefront's Available) states the sellable figure
-- itself: when it only fills the quantity column, that figure is its available_reported.
select
  s.batch_id, s.source, s.captured_at, s.source_updated_at, s.location_id, s.sku,
  s.on_hand, s.committed, s.reserved_other, s.damaged, s.quality_control, s.safety_stock, s.in_transit, s.incoming,
  case when s.quantity_semantics = 'salable' then coalesce(s.available_reported, s.on_hand) else s.available_reported end as available_reported,
  s.quantity_semantics, s.channel,
  b.mode as batch_mode
from raw.stock_snapshot s
join ingest.batches b using (batch_id)
where b.status = 'landed'
