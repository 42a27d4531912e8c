-- Every landed stock row of every source, on the canonical stock_snapshot (DESIGN §4); held or failed batches are left out.
-- materialized: view
select s.*, b.mode as batch_mode
from raw.stock_snapshot s
join ingest.batches b using (batch_id)
where b.status = 'landed'
