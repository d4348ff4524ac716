-- Timer leases (see 0002_timer_leases.postgresql.sql). SQLite runs one engine node, but the same
-- claim-then-fire protocol runs on it, so its tokens come from this one-row counter.
CREATE TABLE timer_lease_tokens (
  last BIGINT NOT NULL
);
INSERT INTO timer_lease_tokens (last) VALUES (0);
