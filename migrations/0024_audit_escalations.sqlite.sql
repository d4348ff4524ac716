-- The leaders' board shows the latest ten escalation steps (GET /api/v1/board, board_routes.cc):
-- without this index each board read every escalate row of the audit log and sorted them (126,000
-- rows in the web benchmark's database after one day of firing: 330 ms of PostgreSQL, spilling
-- the sort to disk, per board). With it the newest steps are read in order and the reading stops
-- at the tenth that is in the board's units. Partial: only escalation rows, so the other audit
-- appends (every event of every item) touch no index.
CREATE INDEX audit_log_escalations ON audit_log (at DESC, instance_id, seq DESC) WHERE event = 'escalate';
