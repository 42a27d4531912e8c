-- not_null(sku) (error)
select count(*) as failures from "marts"."__stage_hourly" as t where "sku" is null;

-- unique(bucket_at, location_id, sku) (error)
select count(*) as failures from (select "bucket_at", "location_id", "sku" from (select * from "marts"."hourly" union all by name select * from "marts"."__stage_hourly") as t semi join "marts"."__stage_hourly" as s on s."bucket_at" is not distinct from t."bucket_at" and s."location_id" is not distinct from t."location_id" and s."sku" is not distinct from t."sku" group by all having count(*) > 1);

-- accepted_values(kind, ['in', 'out']) (error)
select count(*) as failures from "marts"."__stage_hourly" as t where "kind" is not null and "kind" not in ('in', 'out');

-- relationships(location_id, ref('locations'), location_id) (error)
select count(*) as failures from "marts"."__stage_hourly" as t where "location_id" is not null and not exists (select 1 from "staging"."locations" as p where p."location_id" = t."location_id");

-- expression(units >= 0) (warn)
select count(*) as failures from "marts"."__stage_hourly" as t where not (units >= 0);
