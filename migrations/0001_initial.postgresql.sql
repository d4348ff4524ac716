-- The first schema: the definition registry, the org tree, instances, durable timers, the
-- notification outbox and the audit log (engine/include/rectify/store.h says what each holds).
-- Every instant is BIGINT microseconds since the Unix epoch, UTC. JSON is kept as text, byte for
-- byte. The SQLite variant (0001_initial.sqlite.sql) differs only in the outbox id.

CREATE TABLE definitions (
  kind          TEXT   NOT NULL,
  name          TEXT   NOT NULL,
  version       BIGINT NOT NULL,
  content_hash  TEXT   NOT NULL,
  source        TEXT   NOT NULL,
  registered_at BIGINT NOT NULL,
  PRIMARY KEY (kind, name, version)
);

CREATE TABLE units (
  id         TEXT   NOT NULL PRIMARY KEY,
  parent_id  TEXT   NOT NULL,  -- '' for a root
  kind       TEXT   NOT NULL,
  name       TEXT   NOT NULL,
  contacts   TEXT   NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX units_by_parent ON units (parent_id);

CREATE TABLE people (
  id         TEXT   NOT NULL PRIMARY KEY,
  unit_id    TEXT   NOT NULL REFERENCES units (id),
  name       TEXT   NOT NULL,
  roles      TEXT   NOT NULL,  -- a JSON array of role names
  contacts   TEXT   NOT NULL,
  language   TEXT   NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX people_by_unit ON people (unit_id);

CREATE TABLE instances (
  id               TEXT   NOT NULL PRIMARY KEY,
  workflow         TEXT   NOT NULL,
  workflow_version BIGINT NOT NULL,
  campaign         TEXT   NOT NULL,  -- '' when none
  unit_id          TEXT   NOT NULL,  -- '' when none
  state            TEXT   NOT NULL,
  data             TEXT   NOT NULL,
  version          BIGINT NOT NULL,  -- optimistic concurrency
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL
);
CREATE INDEX instances_by_campaign ON instances (campaign, state);
CREATE INDEX instances_by_unit ON instances (unit_id, state);

-- A firing is claimed by moving a row from 'pending' to 'fired' under its key, so it takes effect
-- once. The lease columns are for engines that share one PostgreSQL (later).
CREATE TABLE timers (
  instance_id TEXT   NOT NULL REFERENCES instances (id),
  name        TEXT   NOT NULL,
  generation  BIGINT NOT NULL,
  due_at      BIGINT NOT NULL,
  state       TEXT   NOT NULL CHECK (state IN ('pending', 'fired', 'cancelled')),
  fired_at    BIGINT,
  lease_owner TEXT,
  lease_until BIGINT,
  lease_token BIGINT,
  PRIMARY KEY (instance_id, name, generation)
);
CREATE INDEX timers_pending_by_due ON timers (due_at, instance_id, name, generation)
  WHERE state = 'pending';

CREATE TABLE outbox (
  id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dedup_key       TEXT    NOT NULL UNIQUE,
  instance_id     TEXT    NOT NULL,  -- '' when none
  channel         TEXT    NOT NULL,
  recipient       TEXT    NOT NULL,
  template        TEXT    NOT NULL,
  payload         TEXT    NOT NULL,
  not_before      BIGINT  NOT NULL,
  state           TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'dead', 'cancelled')),
  attempts        BIGINT  NOT NULL,
  next_attempt_at BIGINT  NOT NULL,
  last_error      TEXT    NOT NULL,
  created_at      BIGINT  NOT NULL
);
CREATE INDEX outbox_pending_by_next_attempt ON outbox (next_attempt_at, id)
  WHERE state = 'pending';

-- Append-only and hash-chained; the hashes are computed by the engine.
CREATE TABLE audit_log (
  instance_id TEXT   NOT NULL REFERENCES instances (id),
  seq         BIGINT NOT NULL,
  at          BIGINT NOT NULL,
  actor       TEXT   NOT NULL,
  event       TEXT   NOT NULL,
  from_state  TEXT   NOT NULL,
  to_state    TEXT   NOT NULL,
  reason      TEXT   NOT NULL,
  data        TEXT   NOT NULL,
  prev_hash   TEXT   NOT NULL,
  hash        TEXT   NOT NULL,
  PRIMARY KEY (instance_id, seq)
);
