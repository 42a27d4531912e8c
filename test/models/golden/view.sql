-- write
create or replace view "staging"."__stage_locations" as select 'A' as location_id union all select 'B';

-- audit relation
"staging"."__stage_locations";

-- publish (one transaction)
create or replace view "staging"."locations" as select 'A' as location_id union all select 'B';
drop view "staging"."__stage_locations";

-- discard
drop view if exists "staging"."__stage_locations";
