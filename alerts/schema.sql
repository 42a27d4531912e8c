-- The alerts stage's own state, in the Stocklens database so that it survives restarts with the data.
create schema if not exists alerts;

-- One row per alert (rule × entity): its current episode, firing or resolved.
create table if not exists alerts.alert_state (
  alert_key varchar primary key,
  rule varchar not null,
  kind varchar not null,
  severity varchar not null,
  entity json not null,
  labels json not null,
  title varchar not null,
  summary varchar not null,
  value double,
  status varchar not null,            -- firing | resolved
  suppressed_by varchar,              -- silence:<id> or the inhibiting alert's key; NULL when notified
  first_seen_at timestamptz not null, -- start of the current episode
  last_seen_at timestamptz not null,
  resolved_at timestamptz,
  details json not null               -- top, rows, totalRows, series, view
);

-- One row per receiver: Alertmanager's aggregation group.
create table if not exists alerts.groups (
  receiver varchar primary key,
  pending_since timestamptz,          -- when the group went from quiet to having something to say
  last_notified_at timestamptz,
  notified_keys json not null default '[]',  -- firing alert keys of the last notification
  sequence integer not null default 0        -- notifications made for this receiver; part of the idempotency key
);

-- The durable outbox: a notification is rendered once into a complete MIME message, then sent.
create table if not exists alerts.outbox (
  idempotency_key varchar primary key,
  kind varchar not null,              -- alert | digest | test
  receiver varchar,
  recipients json not null,
  subject varchar not null,
  message_id varchar not null,
  raw_message varchar not null,
  status varchar not null,            -- pending | sending | sent | failed
  stage varchar,                      -- while sending: connecting | data_complete
  attempts integer not null default 0,
  created_at timestamptz not null,
  next_attempt_at timestamptz not null,
  sending_at timestamptz,
  sent_at timestamptz,
  last_error varchar,
  smtp_response varchar
);

create table if not exists alerts.silences (
  silence_id varchar primary key,
  matchers json not null,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  created_by varchar,
  comment varchar
);

-- One row per digest slot of the schedule, written with its outbox row: a slot is never sent twice.
create table if not exists alerts.digests (
  scheduled_at timestamptz primary key,
  created_at timestamptz not null,
  idempotency_key varchar not null
);
