-- Deliveries (engine/include/rectify/notify/outbox_store.h, adapters/notify/dispatcher.h).
-- The outbox keeps its four stored states (0001's CHECK, which SQLite cannot alter); a pending row
-- is queued, sending (under a live lease) or waiting to retry (attempts > 0), told apart by these
-- columns. Every attempt is a row of delivery_attempts; letters are kept as HTML in documents.
ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE outbox ADD COLUMN lease_until BIGINT;
ALTER TABLE outbox ADD COLUMN lease_token BIGINT;
ALTER TABLE outbox ADD COLUMN sent_at BIGINT;

-- SQLite runs one writer at a time; its lease tokens come from this one-row counter.
CREATE TABLE outbox_lease_tokens (
  last BIGINT NOT NULL
);
INSERT INTO outbox_lease_tokens (last) VALUES (0);

CREATE TABLE delivery_attempts (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  outbox_id BIGINT  NOT NULL REFERENCES outbox (id),
  attempt   BIGINT  NOT NULL,
  at        BIGINT  NOT NULL,
  channel   TEXT    NOT NULL,
  outcome   TEXT    NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed', 'abandoned',
                                                'digested', 'held')),
  detail    TEXT    NOT NULL
);
CREATE INDEX delivery_attempts_by_outbox ON delivery_attempts (outbox_id, attempt);
CREATE INDEX outbox_dead ON outbox (id) WHERE state = 'dead';

CREATE TABLE documents (
  dedup_key     TEXT   NOT NULL PRIMARY KEY,
  instance_id   TEXT   NOT NULL,
  recipient     TEXT   NOT NULL,
  template      TEXT   NOT NULL,
  language      TEXT   NOT NULL,
  title         TEXT   NOT NULL,
  html          TEXT   NOT NULL,
  created_at    BIGINT NOT NULL
);
CREATE INDEX documents_by_instance ON documents (instance_id, created_at);
