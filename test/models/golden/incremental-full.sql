-- write
create or replace table "marts"."__stage_hourly" as select date_trunc('hour', s.moved_at) as bucket_at, s.location_id, s.sku, s.kind, sum(s.units) as units
from "staging"."moves" s
where true
group by all;

-- audit relation
"marts"."__stage_hourly";

-- publish (one transaction)
alter table "marts"."__stage_hourly" rename to "hourly";

-- discard
drop table if exists "marts"."__stage_hourly";
