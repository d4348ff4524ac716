-- A pgbench custom script: Rectify's own per-batch SQL for timer firings, replayed as the
-- ceiling of the timer benchmark (issue 5). One script run = one batch of :batch firings.
--
--   pgbench -n -M extended -c CLIENTS -j CLIENTS -t BATCHES_PER_CLIENT -D batch=1000 \
--     -f bench/pgbench/firing_batch.sql postgresql://.../bench_pgbench
--   (bench/pgbench/run.sh does the set-up, runs it and reports; scripts/bench.sh calls that.)
--
-- The schema is the one Rectify runs (every migration under migrations/, applied by run.sh),
-- filled by bench/pgbench/populate.sql: instances with one pending, due timer each.
--
-- The statements are those of the SOCI store (adapters/store/soci/soci_store_claim.cc,
-- soci_store.cc, soci_store_commit.cc), in the same order and shape:
--   1. the claim, its own one-statement transaction (Store::ClaimDue): lease the earliest :batch
--      free due timers under a fresh token, FOR UPDATE SKIP LOCKED;
--   2. one transaction with the batch's effects (Store::LoadInstances, then Store::Commit):
--      (b) load the claimed instances, `id = ANY(array)`;
--      (c) update them, `UPDATE ... FROM unnest(10 arrays)`, with the version check;
--      (d) fire the timers, `UPDATE ... FROM unnest(5 arrays)`, fenced by the lease token;
--      (e) arm each instance's next timer (due in a day), `INSERT ... SELECT FROM unnest(...)`;
--      (f) enqueue one notification each, `INSERT INTO outbox ... FROM unnest(...)`;
--      (g) append one audit event each, `INSERT INTO audit_log ... FROM unnest(...)`;
--      COMMIT.
-- Rectify computes its values in C++ and binds each column as one text array. Here the arrays
-- come from the database: the claim and the load return the claimed keys and the loaded rows as
-- arrays (`\gset`), which the later statements bind back as parameters, like the engine's; the
-- columns the engine would compute (new state, timestamps, outbox payloads, audit hashes) are
-- built in SQL from those arrays. So pgbench does little but pass strings: it measures the
-- database. "now" is the transaction's now() in microseconds; the owner is "bench-<client>".
-- One pending timer per instance means the ids of a batch are distinct, as the engine requires.

-- 1. Claim (Store::ClaimDue on PostgreSQL), aggregated into arrays sorted by instance id.
WITH picked AS (
  SELECT instance_id, name, generation FROM timers
  WHERE state = 'pending'
    AND due_at <= (extract(epoch FROM now()) * 1000000)::bigint
    AND (lease_until IS NULL OR lease_until <= (extract(epoch FROM now()) * 1000000)::bigint
         OR lease_owner = 'bench-' || :client_id)
  ORDER BY due_at LIMIT :batch FOR UPDATE SKIP LOCKED),
token AS (SELECT nextval('timer_lease_tokens') AS v),
claimed AS (
  UPDATE timers AS t SET lease_owner = 'bench-' || :client_id,
    lease_until = (extract(epoch FROM now()) * 1000000)::bigint + 30000000,
    lease_token = (SELECT v FROM token)
  FROM picked AS p
  WHERE t.instance_id = p.instance_id AND t.name = p.name AND t.generation = p.generation
  RETURNING t.instance_id, t.name, t.generation, t.due_at, t.lease_token)
SELECT count(*) AS claimed, coalesce(max(lease_token), 0) AS token,
  coalesce(array_agg(instance_id ORDER BY instance_id), '{}') AS ids,
  coalesce(array_agg(name ORDER BY instance_id), '{}') AS names,
  coalesce(array_agg(generation ORDER BY instance_id), '{}') AS gens
FROM claimed
\gset

BEGIN;

-- (b) Store::LoadInstances: every column of the claimed instances, in id order.
SELECT coalesce(array_agg(workflow ORDER BY id), '{}') AS workflows,
  coalesce(array_agg(workflow_version ORDER BY id), '{}') AS wversions,
  coalesce(array_agg(campaign ORDER BY id), '{}') AS campaigns,
  coalesce(array_agg(unit_id ORDER BY id), '{}') AS units,
  coalesce(array_agg(state ORDER BY id), '{}') AS states,
  coalesce(array_agg(data ORDER BY id), '{}') AS datas,
  coalesce(array_agg(version ORDER BY id), '{}') AS versions,
  coalesce(array_agg(created_at ORDER BY id), '{}') AS created
FROM instances WHERE id = ANY(:ids::text[])
\gset

-- (c) SociStore::UpdateInstances: new state and data, version checked and bumped.
UPDATE instances AS i SET workflow = u.workflow, workflow_version = u.workflow_version,
  campaign = u.campaign, unit_id = u.unit_id, state = u.state, data = u.data,
  updated_at = u.updated_at, version = u.next_version
FROM (SELECT x.id, x.workflow, x.workflow_version, x.campaign, x.unit_id, 'escalated',
        x.data, (extract(epoch FROM now()) * 1000000)::bigint, x.expected, x.expected + 1
      FROM unnest(:ids::text[], :workflows::text[], :wversions::bigint[], :campaigns::text[],
                  :units::text[], :datas::text[], :versions::bigint[])
        AS x(id, workflow, workflow_version, campaign, unit_id, data, expected))
  AS u(id, workflow, workflow_version, campaign, unit_id, state, data, updated_at, expected,
       next_version)
WHERE i.id = u.id AND i.version = u.expected RETURNING i.id;

-- (d) SociStore::FireTimers: pending -> fired, fenced by the claim's lease token.
UPDATE timers AS t SET state = 'fired', fired_at = u.fired_at
FROM (SELECT x.instance_id, x.name, x.generation, (extract(epoch FROM now()) * 1000000)::bigint,
        :token::bigint
      FROM unnest(:ids::text[], :names::text[], :gens::bigint[]) AS x(instance_id, name, generation))
  AS u(instance_id, name, generation, fired_at, token)
WHERE t.instance_id = u.instance_id AND t.name = u.name AND t.generation = u.generation
  AND t.state = 'pending' AND (u.token = 0 OR t.lease_token = u.token)
RETURNING t.instance_id || chr(31) || t.name || chr(31) || t.generation::text;

-- (e) SociStore::ArmTimers: the next step of each instance, due in a day.
INSERT INTO timers (instance_id, name, generation, due_at, state)
SELECT u.*, 'pending' FROM (
  SELECT x.instance_id, x.name, x.generation + 1,
    (extract(epoch FROM now()) * 1000000)::bigint + 86400000000
  FROM unnest(:ids::text[], :names::text[], :gens::bigint[]) AS x(instance_id, name, generation))
  AS u;

-- (f) SociStore::InsertOutbox: one reminder per firing, de-duplicated by key.
INSERT INTO outbox (dedup_key, instance_id, channel, recipient, template, payload,
  not_before, created_at, state, attempts, next_attempt_at, last_error)
SELECT u.*, 'pending', 0, u.not_before, '' FROM (
  SELECT x.instance_id || '/' || x.name || '/' || x.generation, x.instance_id, 'sms',
    'person-' || substr(x.instance_id, 6), 'reminder',
    '{"instance":"' || x.instance_id || '","timer":"' || x.name || '","level":2}',
    (extract(epoch FROM now()) * 1000000)::bigint, (extract(epoch FROM now()) * 1000000)::bigint
  FROM unnest(:ids::text[], :names::text[], :gens::bigint[]) AS x(instance_id, name, generation))
  AS u(dedup_key, instance_id, channel, recipient, template, payload, not_before, created_at)
ON CONFLICT (dedup_key) DO NOTHING;

-- (g) SociStore::AppendAudit: one hash-chained event per firing (the engine computes the
-- hashes; here md5 stands in for them, 64 hex characters like a SHA-256).
INSERT INTO audit_log (instance_id, seq, at, actor, event, from_state, to_state, reason, data,
  prev_hash, hash)
SELECT * FROM (
  SELECT x.instance_id, x.version + 1, (extract(epoch FROM now()) * 1000000)::bigint,
    'scheduler', 'timer.fired', x.state, 'escalated', 'deadline passed',
    '{"timer":"' || x.name || '","generation":' || x.generation || '}',
    md5(x.instance_id) || md5(x.instance_id || x.version),
    md5(x.instance_id || x.name) || md5(x.instance_id || (x.version + 1))
  FROM unnest(:ids::text[], :names::text[], :gens::bigint[], :versions::bigint[], :states::text[])
    AS x(instance_id, name, generation, version, state)) AS u;

COMMIT;
