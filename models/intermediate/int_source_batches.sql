-- Every landed batch's capture time per source and entity: what each system last told us, and when.
-- materialized: table
-- tests: not_null(source), not_null(captured_at)
-- A skipped file was already landed (same content) and a held one is not used: only
-- landed batches count as a sign of life.
select source, entity, captured_at, bool_or(mode = 'full') as is_full, count(*) as batches
from ingest.batches
where status = 'landed' and captured_at is not null
group by all
