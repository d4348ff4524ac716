-- Timer leases for engine nodes that share one PostgreSQL (engine/include/rectify/store.h,
-- Store::ClaimDue). A claim leases a batch of due timers to one worker of one node until
-- lease_until, under a fresh token from this sequence; the firing's commit checks the token
-- (fencing), so a node that was paused past its lease and wakes late cannot commit over the node
-- that took its work.
CREATE SEQUENCE timer_lease_tokens AS BIGINT;
