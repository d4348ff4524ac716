-- What changed, for the API's item index (adapters/http/api/item_index.h): one row for every
-- insert or update of an instance, by whatever writer (the engine, the CLI, the scheduler, a
-- migration), so each serving node can bring its in-memory copy of the item lists up to date by
-- reading the rows after the last one it applied. Filled by a trigger, so no writer has to know.
--
-- As in change_feed (0009), ids come from a sequence and transactions commit in any order: the
-- index treats a gap below the highest id it has read as a row maybe still in flight (see there).
CREATE TABLE item_changes (
  id          BIGSERIAL PRIMARY KEY,
  instance_id TEXT      NOT NULL
);

CREATE FUNCTION item_changes_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO item_changes (instance_id) VALUES (NEW.id);
  RETURN NULL;
END;
$$;

CREATE TRIGGER item_changes_note AFTER INSERT OR UPDATE ON instances
  FOR EACH ROW EXECUTE FUNCTION item_changes_note();
