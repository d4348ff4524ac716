-- The change feed behind GET /api/v1/stream (adapters/http/api/stream_routes.cc): one row per
-- audit row and per delivery that became dead, so a board that reconnects with Last-Event-ID gets
-- exactly what it missed. Filled by triggers, so every writer (the engine, the CLI, the
-- scheduler) feeds it without knowing.
--
-- The id comes from a sequence when the row is inserted, but transactions commit in any order:
-- a reader can see id 12 before id 11 commits. The stream's poller therefore treats a gap below
-- the highest id it has seen as a row maybe still in flight, and waits for it (a few seconds:
-- a rolled-back transaction leaves a gap for ever) before it sends anything above it.
CREATE TABLE change_feed (
  id          BIGSERIAL PRIMARY KEY,
  kind        TEXT      NOT NULL CHECK (kind IN ('audit', 'dead')),
  instance_id TEXT      NOT NULL,  -- '' for a delivery of no item
  seq         BIGINT    NOT NULL,  -- kind audit: the audit row's seq
  outbox_id   BIGINT    NOT NULL   -- kind dead: the delivery's id
);

CREATE FUNCTION change_feed_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO change_feed (kind, instance_id, seq, outbox_id)
  VALUES ('audit', NEW.instance_id, NEW.seq, 0);
  RETURN NULL;
END;
$$;

CREATE TRIGGER change_feed_audit AFTER INSERT ON audit_log
  FOR EACH ROW EXECUTE FUNCTION change_feed_audit();

CREATE FUNCTION change_feed_dead() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO change_feed (kind, instance_id, seq, outbox_id)
  VALUES ('dead', NEW.instance_id, 0, NEW.id);
  RETURN NULL;
END;
$$;

CREATE TRIGGER change_feed_dead AFTER UPDATE OF state ON outbox
  FOR EACH ROW WHEN (NEW.state = 'dead' AND OLD.state <> 'dead')
  EXECUTE FUNCTION change_feed_dead();
