-- The change feed behind GET /api/v1/stream (adapters/http/api/stream_routes.cc): one row per
-- audit row and per delivery that became dead, numbered in commit order, so a board that
-- reconnects with Last-Event-ID gets exactly what it missed. Filled by triggers, so every writer
-- (the engine, the CLI, the scheduler) feeds it without knowing. On SQLite the writer is one at a
-- time, so AUTOINCREMENT numbers rows in commit order.
CREATE TABLE change_feed (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  kind        TEXT    NOT NULL CHECK (kind IN ('audit', 'dead')),
  instance_id TEXT    NOT NULL,  -- '' for a delivery of no item
  seq         BIGINT  NOT NULL,  -- kind audit: the audit row's seq
  outbox_id   BIGINT  NOT NULL   -- kind dead: the delivery's id
);

CREATE TRIGGER change_feed_audit AFTER INSERT ON audit_log
BEGIN
  INSERT INTO change_feed (kind, instance_id, seq, outbox_id)
  VALUES ('audit', NEW.instance_id, NEW.seq, 0);
END;

CREATE TRIGGER change_feed_dead AFTER UPDATE OF state ON outbox
WHEN NEW.state = 'dead' AND OLD.state <> 'dead'
BEGIN
  INSERT INTO change_feed (kind, instance_id, seq, outbox_id)
  VALUES ('dead', NEW.instance_id, 0, NEW.id);
END;
