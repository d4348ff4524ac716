-- Administration over the API and calendar feeds (adapters/store/soci/soci_admin_store.h).
-- feed_tokens: a person's ICS feed URLs. The URL's token is the credential (calendar apps send no
-- headers), so it is kept apart from api_tokens: a feed token reads one person's deadlines and is
-- never a bearer token. Only the SHA-256 hex of the token is stored.
-- admin_events: what an administrator did through the API that belongs to no item's audit chain
-- (registering a definition, retrying a dead letter), with who, the channel and the request id.
CREATE TABLE feed_tokens (
  id         TEXT   NOT NULL PRIMARY KEY,
  person     TEXT   NOT NULL,
  token_hash TEXT   NOT NULL UNIQUE,
  label      TEXT   NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX feed_tokens_by_person ON feed_tokens (person, created_at);

CREATE TABLE admin_events (
  id         BIGSERIAL PRIMARY KEY,
  at         BIGINT NOT NULL,
  actor      TEXT   NOT NULL,
  channel    TEXT   NOT NULL,
  request_id TEXT   NOT NULL,
  action     TEXT   NOT NULL,
  subject    TEXT   NOT NULL,
  detail     TEXT   NOT NULL
);
CREATE INDEX admin_events_by_subject ON admin_events (action, subject, id);
