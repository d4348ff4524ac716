-- The write path, rebuilt for speed with the same columns, keys and meaning
-- (docs/benchmarks.md, "Timers"). Two things cost more than the rows themselves:
--   * a CHECK (state IN ('a', 'b', 'c')) makes SQLite build a temporary b-tree of the list for
--     every row it writes; the same constraints are written here as comparisons;
--   * timers had a hidden rowid besides its key, so every firing looked the row up twice; it is
--     now a WITHOUT ROWID table, stored in key order.
-- SQLite cannot alter a constraint in place, so each table is made anew, filled from the old one,
-- and takes its name (the procedure of https://www.sqlite.org/lang_altertable.html, section 7;
-- the migrator turns foreign keys off around it and checks them before it commits).

CREATE TABLE timers_new (
  instance_id TEXT   NOT NULL REFERENCES instances (id),
  name        TEXT   NOT NULL,
  generation  BIGINT NOT NULL,
  due_at      BIGINT NOT NULL,
  state       TEXT   NOT NULL CHECK (state = 'pending' OR state = 'fired' OR state = 'cancelled'),
  fired_at    BIGINT,
  lease_owner TEXT,
  lease_until BIGINT,
  lease_token BIGINT,
  PRIMARY KEY (instance_id, name, generation)
) WITHOUT ROWID;
INSERT INTO timers_new (instance_id, name, generation, due_at, state, fired_at, lease_owner,
                        lease_until, lease_token)
  SELECT instance_id, name, generation, due_at, state, fired_at, lease_owner, lease_until,
         lease_token FROM timers;
DROP TABLE timers;
ALTER TABLE timers_new RENAME TO timers;
CREATE INDEX timers_pending_by_due ON timers (due_at, instance_id, name, generation)
  WHERE state = 'pending';

CREATE TABLE outbox_new (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  dedup_key       TEXT    NOT NULL UNIQUE,
  instance_id     TEXT    NOT NULL,
  channel         TEXT    NOT NULL,
  recipient       TEXT    NOT NULL,
  template        TEXT    NOT NULL,
  payload         TEXT    NOT NULL,
  not_before      BIGINT  NOT NULL,
  state           TEXT    NOT NULL CHECK (state = 'pending' OR state = 'sent' OR state = 'dead' OR
                                          state = 'cancelled'),
  attempts        BIGINT  NOT NULL,
  next_attempt_at BIGINT  NOT NULL,
  last_error      TEXT    NOT NULL,
  created_at      BIGINT  NOT NULL,
  lease_owner     TEXT,
  lease_until     BIGINT,
  lease_token     BIGINT,
  sent_at         BIGINT
);
INSERT INTO outbox_new (id, dedup_key, instance_id, channel, recipient, template, payload,
                        not_before, state, attempts, next_attempt_at, last_error, created_at,
                        lease_owner, lease_until, lease_token, sent_at)
  SELECT id, dedup_key, instance_id, channel, recipient, template, payload, not_before, state,
         attempts, next_attempt_at, last_error, created_at, lease_owner, lease_until,
         lease_token, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_pending_by_next_attempt ON outbox (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX outbox_dead ON outbox (id) WHERE state = 'dead';

CREATE TABLE delivery_attempts_new (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  outbox_id BIGINT  NOT NULL REFERENCES outbox (id),
  attempt   BIGINT  NOT NULL,
  at        BIGINT  NOT NULL,
  channel   TEXT    NOT NULL,
  outcome   TEXT    NOT NULL CHECK (outcome = 'delivered' OR outcome = 'retry' OR
                                    outcome = 'failed' OR outcome = 'abandoned' OR
                                    outcome = 'digested' OR outcome = 'held'),
  detail    TEXT    NOT NULL
);
INSERT INTO delivery_attempts_new (id, outbox_id, attempt, at, channel, outcome, detail)
  SELECT id, outbox_id, attempt, at, channel, outcome, detail FROM delivery_attempts;
DROP TABLE delivery_attempts;
ALTER TABLE delivery_attempts_new RENAME TO delivery_attempts;
CREATE INDEX delivery_attempts_by_outbox ON delivery_attempts (outbox_id, attempt);
