-- The landing contract: raw canonical entities, the batch ledger, quarantine and run history.
create schema if not exists raw;
create schema if not exists ingest;

create table if not exists ingest.batches (
  batch_id       varchar primary key,  -- deterministic: source + content hash, so a rerun finds it
  source         varchar not null,
  entity         varchar not null,     -- stock | orders | events
  file           varchar,
  mode           varchar,              -- full | delta
  captured_at    timestamptz,
  content_sha256 varchar not null,
  rows           bigint not null default 0,
  rejected       bigint not null default 0,
  status         varchar not null,     -- landed | skipped | held | rejected | failed
  started_at     timestamptz not null,
  finished_at    timestamptz,
  error          varchar,
  file_size_bytes bigint,              -- the file as it was read (size, modification time): an unchanged file is not read again
  file_mtime_ms   double               -- null for batches landed before these were kept, and for non-file batches
);

create table if not exists ingest.quarantine (
  batch_id varchar not null,
  line     bigint,
  "column" varchar,
  reason   varchar not null,
  raw_line varchar
);

-- Files a source's folder holds that its connector leaves aside (a name it cannot read), as of the source's last listing.
create table if not exists ingest.ignored_files (
  source  varchar not null,
  file    varchar not null,
  reason  varchar not null,
  fix     varchar not null,
  seen_at timestamptz not null
);

create table if not exists ingest.runs (
  run_id      varchar not null,
  source      varchar not null,
  trigger     varchar not null,        -- manual | schedule | catch-up | webhook
  attempt     integer not null default 1,
  started_at  timestamptz not null,
  finished_at timestamptz,
  status      varchar not null,        -- running | succeeded | failed | interrupted (closed at the next start after a crash)
  batches     integer not null default 0,
  rows        bigint not null default 0,
  rejected    bigint not null default 0,
  held        integer not null default 0,
  error       varchar
);

create table if not exists raw.stock_snapshot (
  batch_id           varchar not null,
  source             varchar not null,
  captured_at        timestamptz not null,
  source_updated_at  timestamptz,
  location_id        varchar not null,
  sku                varchar not null,
  -- A stock state is NULL only in a delta batch whose file left the column out: it keeps the
  -- previous value (models/intermediate/int_stock_intervals.sql).
  on_hand            decimal(18, 4),
  committed          decimal(18, 4) default 0,
  reserved_other     decimal(18, 4) default 0,
  damaged            decimal(18, 4) default 0,
  quality_control    decimal(18, 4) default 0,
  safety_stock       decimal(18, 4) default 0,
  in_transit         decimal(18, 4) default 0,
  incoming           decimal(18, 4) default 0,
  available_reported decimal(18, 4),
  quantity_semantics varchar not null default 'physical',
  channel            varchar,
  raw                json
);

create table if not exists raw.order_line (
  batch_id          varchar not null,
  source            varchar not null,
  captured_at       timestamptz not null,
  order_id          varchar not null,
  line_id           varchar not null,
  channel           varchar,
  placed_at         timestamptz not null,
  sku               varchar not null,
  quantity          decimal(18, 4) not null,
  unit_price        decimal(18, 4),
  currency          varchar,
  location_id       varchar,
  status            varchar not null,
  cancelled_at      timestamptz,
  cancel_reason_raw varchar,
  cancel_reason     varchar,
  shipped_at        timestamptz,
  raw               json
);

create table if not exists raw.inventory_event (
  batch_id    varchar not null,
  source      varchar not null,
  event_id    varchar not null,
  occurred_at timestamptz not null,
  location_id varchar not null,
  sku         varchar not null,
  delta       decimal(18, 4) not null,
  reason      varchar not null,
  reference   varchar,
  raw         json
);
