-- What changed, for the API's item index (adapters/http/api/item_index.h): one row for every
-- insert or update of an instance, by whatever writer (the engine, the CLI, the scheduler, a
-- migration), so each serving node can bring its in-memory copy of the item lists up to date by
-- reading the rows after the last one it applied. Filled by triggers, so no writer has to know.
-- On SQLite the writer is one at a time, so AUTOINCREMENT numbers rows in commit order.
CREATE TABLE item_changes (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_id TEXT    NOT NULL
);

CREATE TRIGGER item_changes_insert AFTER INSERT ON instances
BEGIN
  INSERT INTO item_changes (instance_id) VALUES (NEW.id);
END;

CREATE TRIGGER item_changes_update AFTER UPDATE ON instances
BEGIN
  INSERT INTO item_changes (instance_id) VALUES (NEW.id);
END;
