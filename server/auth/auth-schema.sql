-- Secrets of the server: only hashes are stored, and the analyst SQL endpoint never reads this schema.
create schema if not exists auth;

create table if not exists auth.tokens (
  token_id     varchar primary key,
  token_sha256 varchar not null unique,
  role         varchar not null,          -- viewer | analyst | admin
  label        varchar,
  created_at   timestamptz not null,
  last_used_at timestamptz,
  revoked_at   timestamptz
);

create table if not exists auth.sessions (
  session_sha256 varchar primary key,
  token_id       varchar not null,
  created_at     timestamptz not null,
  expires_at     timestamptz not null
);
