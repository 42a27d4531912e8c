-- not_null(sku) (error)
select count(*) as failures from "marts"."__stage_hourly" as t where "sku" is null;

-- unique(bucket_at, location_id, sku) (error)
select count(*) as failures from (select "bucket_at", "location_id", "sku" from "marts"."__stage_hourly" as t group by all having count(*) > 1);

-- accepted_values(kind, ['in', 'out']) (error)
select count(*) as failures from "marts"."__stage_hourly" as t where "kind" is not null and "kind" not in ('in', 'out');

-- relationships(location_id, ref('locations'), location_id) (error)
select count(*) as failures from "marts"."__stage_hourly" as t where "location_id" is not null and not exists (select 1 from "staging"."locations" as p where p."location_id" = t."location_id");

-- expression(units >= 0) (warn)
select count(*) as failures from "marts"."__stage_hourly" as t where not (units >= 0);
