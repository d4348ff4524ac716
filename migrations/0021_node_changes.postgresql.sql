-- What changed, for what a serving node keeps in memory (adapters/http/api/node_changes.h): the
-- item index's rows (an instance) and the credentials it has checked (an account, a token, a
-- session). One row for every insert, update or delete of those, by whatever writer (the engine,
-- the CLI, the scheduler, another node), filled by triggers so no writer has to know. A node
-- reads the rows after the last one it applied before it answers a request, so what it answers
-- from memory is as fresh as the store was when the request came.
--
-- This replaces item_changes (0015), which knew instances only: a revoked token or an ended
-- session must stop working on every node at once, and reading the credentials from the store on
-- every request cost two round trips. kind is 'instance', 'account' (key: person), 'token' (key:
-- its id) or 'session' (key: id_hash).
--
-- As in change_feed (0009), ids come from a sequence and transactions commit in any order: the
-- reader treats a gap below the highest id it has read as a row maybe still in flight.
DROP TRIGGER item_changes_note ON instances;
DROP FUNCTION item_changes_note();
DROP TABLE item_changes;

CREATE TABLE node_changes (
  id      BIGSERIAL PRIMARY KEY,
  kind    TEXT      NOT NULL,
  row_key TEXT      NOT NULL
);

CREATE FUNCTION node_changes_instance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO node_changes (kind, row_key) VALUES ('instance', NEW.id);
  RETURN NULL;
END;
$$;
CREATE TRIGGER node_changes_instance AFTER INSERT OR UPDATE ON instances
  FOR EACH ROW EXECUTE FUNCTION node_changes_instance();

-- The credentials, by one function: the trigger names the kind and the key column. A delete counts
-- as a change too (OLD, as NEW is null then). The rows are small, so reading the key through jsonb
-- costs little (instances, whose rows carry their whole state, keep a function of their own).
CREATE FUNCTION node_changes_credential() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO node_changes (kind, row_key)
    VALUES (TG_ARGV[0],
            (CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END) ->> TG_ARGV[1]);
  RETURN NULL;
END;
$$;
CREATE TRIGGER node_changes_account AFTER INSERT OR UPDATE OR DELETE ON accounts
  FOR EACH ROW EXECUTE FUNCTION node_changes_credential('account', 'person');
CREATE TRIGGER node_changes_token AFTER INSERT OR UPDATE OR DELETE ON api_tokens
  FOR EACH ROW EXECUTE FUNCTION node_changes_credential('token', 'id');
CREATE TRIGGER node_changes_session AFTER INSERT OR UPDATE OR DELETE ON sessions
  FOR EACH ROW EXECUTE FUNCTION node_changes_credential('session', 'id_hash');
