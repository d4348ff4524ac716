-- Delivery receipts (engine/include/rectify/notify/receipt.h): after the provider took a message,
-- did it reach the person? The outbox row keeps the provider's id for the message (to match its
-- receipt) and the receipt's state beside its delivery state; every receipt that came, polled or
-- from a send answer, is logged in delivery_receipts with what it did (applied, duplicate,
-- refused, unknown: an id no row has), so a repeat or a stray receipt is seen and changes nothing.
ALTER TABLE outbox ADD COLUMN provider_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN receipt TEXT NOT NULL DEFAULT 'none'
  CHECK (receipt IN ('none', 'sent', 'delivered', 'failed', 'unknown'));
ALTER TABLE outbox ADD COLUMN receipt_code TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN receipt_detail TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN receipt_at BIGINT;
CREATE INDEX outbox_by_provider_ref ON outbox (provider_ref) WHERE provider_ref <> '';
CREATE INDEX outbox_awaiting_receipt ON outbox (sent_at, id) WHERE receipt = 'sent';

CREATE TABLE delivery_receipts (
  id           BIGSERIAL PRIMARY KEY,
  outbox_id    BIGINT REFERENCES outbox (id),
  provider_ref TEXT   NOT NULL,
  state        TEXT   NOT NULL,
  code         TEXT   NOT NULL,
  detail       TEXT   NOT NULL,
  source       TEXT   NOT NULL,
  outcome      TEXT   NOT NULL CHECK (outcome IN ('applied', 'duplicate', 'refused', 'unknown')),
  at           BIGINT NOT NULL
);
CREATE INDEX delivery_receipts_by_outbox ON delivery_receipts (outbox_id, id);

-- A person a message did not reach (channels file `unreached:`, notify/channels_config.h): the
-- dispatcher follows up each such row once (followed_up: it sent the message by the person's next
-- route, or found none left), and when no route is left it tells the person's unit head and keeps
-- the person here, once per message, for `rectify report unreached`.
ALTER TABLE outbox ADD COLUMN followed_up SMALLINT NOT NULL DEFAULT 0;
CREATE INDEX outbox_not_reached ON outbox (id)
  WHERE followed_up = 0 AND (state = 'dead' OR receipt IN ('failed', 'unknown'));

CREATE TABLE unreached_people (
  origin_key   TEXT   NOT NULL PRIMARY KEY,
  instance_id  TEXT   NOT NULL,
  person       TEXT   NOT NULL,
  template     TEXT   NOT NULL,
  routes       TEXT   NOT NULL,
  reported_to  TEXT   NOT NULL,
  report_key   TEXT   NOT NULL,
  at           BIGINT NOT NULL
);
CREATE INDEX unreached_people_by_instance ON unreached_people (instance_id);
