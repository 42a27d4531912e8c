-- write
create or replace table "staging"."__stage_moves" as select * from src.moves;

-- audit relation
"staging"."__stage_moves";

-- publish (one transaction)
drop table if exists "staging"."moves";
alter table "staging"."__stage_moves" rename to "moves";

-- discard
drop table if exists "staging"."__stage_moves";
