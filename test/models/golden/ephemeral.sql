-- write
create or replace table "marts"."__stage_in_units" as select location_id, sum(units) as units from (select * from "staging"."moves" where kind = 'in'
) group by all;

-- audit relation
"marts"."__stage_in_units";

-- publish (one transaction)
alter table "marts"."__stage_in_units" rename to "in_units";

-- discard
drop table if exists "marts"."__stage_in_units";
