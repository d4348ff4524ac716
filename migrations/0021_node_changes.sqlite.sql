-- What changed, for what a serving node keeps in memory (adapters/http/api/node_changes.h): the
-- item index's rows (an instance) and the credentials it has checked (an account, a token, a
-- session). One row for every insert, update or delete of those, by whatever writer (the engine,
-- the CLI, the scheduler, another process), filled by triggers so no writer has to know. A node
-- reads the rows after the last one it applied before it answers a request, so what it answers
-- from memory is as fresh as the store was when the request came.
--
-- This replaces item_changes (0015), which knew instances only: a revoked token or an ended
-- session must stop working at once, and reading the credentials from the store on every request
-- cost two reads. kind is 'instance', 'account' (key: person), 'token' (key: its id) or
-- 'session' (key: id_hash). On SQLite the writer is one at a time, so AUTOINCREMENT numbers rows
-- in commit order.
DROP TRIGGER item_changes_insert;
DROP TRIGGER item_changes_update;
DROP TABLE item_changes;

CREATE TABLE node_changes (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  kind    TEXT    NOT NULL,
  row_key TEXT    NOT NULL
);

CREATE TRIGGER node_changes_instance_insert AFTER INSERT ON instances
BEGIN
  INSERT INTO node_changes (kind, row_key) VALUES ('instance', NEW.id);
END;
CREATE TRIGGER node_changes_instance_update AFTER UPDATE ON instances
BEGIN
  INSERT INTO node_changes (kind, row_key) VALUES ('instance', NEW.id);
END;

CREATE TRIGGER node_changes_account_insert AFTER INSERT ON accounts
BEGIN
  INSERT INTO node_changes (kind, row_key) VALUES ('account', NEW.person);
END;
CREATE TRIGGER node_changes_account_update AFTER UPDATE ON accounts
BEGIN
  INSERT INTO node_changes (kind, row_key) VALUES ('account', NEW.person);
END;
CREATE TRIGGER node_changes_account_delete AFTER DELETE ON accounts
BEGIN
  INSERT INTO node_changes (kind, row_key) VALUES ('account', OLD.person);
END;

CREATE TRIGGER node_changes_token_insert AFTER INSERT ON api_tokens
BEGIN
  INSERT INTO node_changes (kind, row_key) VALUES ('token', NEW.id);
END;
CREATE TRIGGER node_changes_token_update AFTER UPDATE ON api_tokens
BEGIN
  INSERT INTO node_changes (kind, row_key) VALUES ('token', NEW.id);
END;
CREATE TRIGGER node_changes_token_delete AFTER DELETE ON api_tokens
BEGIN
  INSERT INTO node_changes (kind, row_key) VALUES ('token', OLD.id);
END;

CREATE TRIGGER node_changes_session_insert AFTER INSERT ON sessions
BEGIN
  INSERT INTO node_changes (kind, row_key) VALUES ('session', NEW.id_hash);
END;
CREATE TRIGGER node_changes_session_update AFTER UPDATE ON sessions
BEGIN
  INSERT INTO node_changes (kind, row_key) VALUES ('session', NEW.id_hash);
END;
CREATE TRIGGER node_changes_session_delete AFTER DELETE ON sessions
BEGIN
  INSERT INTO node_changes (kind, row_key) VALUES ('session', OLD.id_hash);
END;
