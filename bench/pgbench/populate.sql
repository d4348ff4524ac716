-- Fills the pgbench ceiling's database (bench/pgbench/firing_batch.sql): :instances instances of
-- the rectification workflow, each with one pending timer that fell due in the last hour, spread
-- evenly. Run with psql -v instances=N after the migrations (bench/pgbench/run.sh applies them).

INSERT INTO instances (id, workflow, workflow_version, campaign, unit_id, state, data, version,
  created_at, updated_at)
SELECT 'inst-' || lpad(i::text, 8, '0'), 'rectification', 1, 'xinshao-2017',
  'unit-' || (i % 304), 'assigned',
  '{"title":"Problem ' || i || ' found in the Q1 inspection","unit":"unit-' || (i % 304) ||
    '","person":"person-' || (i % 325) || '","limit_days":30,"level":1,"source":"inspection"}',
  1, t0, t0
FROM generate_series(1, :instances) AS i,
  (SELECT (extract(epoch FROM now()) * 1000000)::bigint - 3600000000 AS t0) AS c;

INSERT INTO timers (instance_id, name, generation, due_at, state)
SELECT 'inst-' || lpad(i::text, 8, '0'), 'remind', 1,
  t0 + (i::bigint * 3000000000 / :instances), 'pending'
FROM generate_series(1, :instances) AS i,
  (SELECT (extract(epoch FROM now()) * 1000000)::bigint - 3600000000 AS t0) AS c;

VACUUM ANALYZE;
CHECKPOINT;
