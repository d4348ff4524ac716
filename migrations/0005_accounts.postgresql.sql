-- Accounts (engine/include/rectify/auth/account_store.h): the people of the org definitions who
-- sign in, API tokens for systems, the sessions behind login cookies, and every change to them.
-- Secrets are never stored: passwords as Argon2id strings, tokens and session ids as the SHA-256
-- hex of their random text (engine/include/rectify/auth/secrets.h).
CREATE TABLE accounts (
  person              TEXT    NOT NULL PRIMARY KEY,
  org                 TEXT    NOT NULL,
  password_hash       TEXT    NOT NULL,
  admin               BIGINT  NOT NULL DEFAULT 0,
  disabled            BIGINT  NOT NULL DEFAULT 0,
  created_at          BIGINT  NOT NULL,
  password_changed_at BIGINT  NOT NULL,
  changed_at          BIGINT  NOT NULL
);

CREATE TABLE api_tokens (
  id           TEXT   NOT NULL PRIMARY KEY,
  person       TEXT   NOT NULL REFERENCES accounts (person),
  secret_hash  TEXT   NOT NULL,
  scope        TEXT   NOT NULL,
  label        TEXT   NOT NULL,
  created_at   BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL,
  revoked_at   BIGINT,
  last_used_at BIGINT
);
CREATE INDEX api_tokens_by_person ON api_tokens (person, created_at);

CREATE TABLE sessions (
  id_hash      TEXT   NOT NULL PRIMARY KEY,
  person       TEXT   NOT NULL REFERENCES accounts (person),
  address      TEXT   NOT NULL,
  created_at   BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL,
  ended_at     BIGINT
);
CREATE INDEX sessions_by_person ON sessions (person);

CREATE TABLE account_events (
  id      BIGSERIAL PRIMARY KEY,
  at      BIGINT NOT NULL,
  person  TEXT   NOT NULL,
  actor   TEXT   NOT NULL,
  channel TEXT   NOT NULL,
  event   TEXT   NOT NULL,
  detail  TEXT   NOT NULL
);
CREATE INDEX account_events_by_person ON account_events (person, id);

-- Idempotency keys (engine/include/rectify/idempotency_store.h): the first answer to a POST sent
-- with an Idempotency-Key, returned again to a retry of the same request. status 0: in progress.
CREATE TABLE idempotency_keys (
  person       TEXT   NOT NULL,
  idem_key     TEXT   NOT NULL,
  request_hash TEXT   NOT NULL,
  status       BIGINT NOT NULL,
  headers      TEXT   NOT NULL,
  body         TEXT   NOT NULL,
  created_at   BIGINT NOT NULL,
  PRIMARY KEY (person, idem_key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
