-- The SQL console's own records: what each user ran, and the queries they saved. Users are tokens
-- (one per person or service); the analyst SQL endpoint never reads this schema.
create schema if not exists console;

create table if not exists console.history (
  token_id    varchar not null,
  sql         varchar not null,
  ran_at      timestamptz not null,
  row_count   bigint,
  elapsed_ms  bigint,
  error       varchar
);

create table if not exists console.saved_queries (
  query_id        varchar primary key,
  name            varchar not null,
  sql             varchar not null,
  owner_token_id  varchar not null,
  owner_label     varchar,
  -- NULL: only its owner sees it; a role: everyone with that role or a higher one sees it too.
  shared_with     varchar,
  saved_at        timestamptz not null
);
