-- write
create or replace table "marts"."__stage_hourly" as select date_trunc('hour', s.moved_at) as bucket_at, s.location_id, s.sku, s.kind, sum(s.units) as units
from "staging"."moves" s
where (date_trunc('hour', s.moved_at) >= CAST('2026-11-02 10:00:00+00' AS TIMESTAMP WITH TIME ZONE))
group by all;

-- audit relation
(select t.* from "marts"."hourly" as t anti join "marts"."__stage_hourly" as s on s."bucket_at" is not distinct from t."bucket_at" and s."location_id" is not distinct from t."location_id" and s."sku" is not distinct from t."sku" and t."bucket_at" >= CAST('2026-11-02 10:00:00+00' AS TIMESTAMP WITH TIME ZONE) union all by name select * from "marts"."__stage_hourly");

-- publish (one transaction)
merge into "marts"."hourly" as t using "marts"."__stage_hourly" as s on (s."bucket_at" is not distinct from t."bucket_at" and s."location_id" is not distinct from t."location_id" and s."sku" is not distinct from t."sku" and t."bucket_at" >= CAST('2026-11-02 10:00:00+00' AS TIMESTAMP WITH TIME ZONE)) when matched then update by name when not matched then insert by name;
drop table "marts"."__stage_hourly";

-- discard
drop table if exists "marts"."__stage_hourly";
