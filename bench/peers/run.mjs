#!/usr/bin/env node
// The peers of Rectify's timer benchmark (issue 5): the same work as a timer firing, done by the
// two PostgreSQL job queues people reach for, graphile-worker and pg-boss.
//
//   node run.mjs --url postgresql://user@host:port/postgres [--jobs 20000] [--concurrency 64]
//                [--repeat 2] [--only graphile_worker,pg_boss] [--json ../../build/bench/peers.json]
//
// For each peer, in a database of its own on the cluster (dropped and created afresh per run):
//   1. set up `bench_items` (N rows) and `bench_events` (empty), and the queue's own schema;
//   2. enqueue N jobs due now, in bulk (graphile-worker: WorkerUtils.addJobs, which is one call of
//      the SQL function graphile_worker.add_jobs per chunk; pg-boss: boss.insert, one statement
//      per chunk); not timed;
//   3. start the workers and time from their start until every job is done: the handlers have
//      written N event rows and the queue holds no job that is not completed.
// A job's handler does, in one statement and so one transaction (one round trip, one commit):
//   UPDATE bench_items SET state = 'fired', version = version + 1 WHERE id = $1, and
//   INSERT INTO bench_events (item_id, kind) for that row.
// Afterwards it checks the work: N events, every item updated exactly once.
//
// The settings are each library's documented high-throughput ones (docs/benchmarks.md lists
// them); the defaults below were tuned on the 2-core benchmark machine. Each peer runs --repeat
// times; the JSON gives every run and, as the figure, the best (the least disturbed by other load).
import { createRequire } from 'node:module';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import os from 'node:os';
import pg from 'pg';

const require = createRequire(import.meta.url);

function parseArgs(argv) {
  const opts = {
    url: process.env.BENCH_PG_URL || '',
    jobs: 20000,
    concurrency: 64,
    repeat: 1,
    only: 'graphile_worker,pg_boss',
    json: '',
    // graphile-worker
    gwLocalQueue: 0, // 0: 4 x concurrency
    gwCompleteBatchDelay: 0,
    gwPollInterval: 100,
    // pg-boss
    pbWorkers: 4,
    pbBatchSize: 500,
    pbPollSeconds: 0.5,
  };
  const names = {
    '--url': 'url', '--jobs': 'jobs', '--concurrency': 'concurrency', '--repeat': 'repeat',
    '--only': 'only', '--json': 'json', '--gw-local-queue': 'gwLocalQueue',
    '--gw-complete-batch-delay': 'gwCompleteBatchDelay', '--gw-poll-interval': 'gwPollInterval',
    '--pb-workers': 'pbWorkers', '--pb-batch-size': 'pbBatchSize',
    '--pb-poll-seconds': 'pbPollSeconds',
  };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      console.log('usage: node run.mjs --url URL [--jobs N] [--concurrency C] [--repeat R] ' +
        '[--only graphile_worker,pg_boss] [--json PATH] [--gw-local-queue N] ' +
        '[--gw-complete-batch-delay MS] [--gw-poll-interval MS] [--pb-workers N] ' +
        '[--pb-batch-size N] [--pb-poll-seconds S]');
      process.exit(0);
    }
    const [flag, inline] = a.includes('=') ? a.split(/=(.*)/s) : [a, undefined];
    const key = names[flag];
    if (!key) fail(`unknown argument '${a}'; see --help`);
    const value = inline !== undefined ? inline : argv[++i];
    if (value === undefined) fail(`${flag} needs a value`);
    opts[key] = typeof opts[key] === 'number' ? Number(value) : value;
    if (typeof opts[key] === 'number' && !Number.isFinite(opts[key])) {
      fail(`${flag} needs a number, not '${value}'`);
    }
  }
  if (!opts.url) fail('give the PostgreSQL URL with --url (or BENCH_PG_URL)');
  if (!(opts.jobs >= 1)) fail('--jobs must be at least 1');
  if (!(opts.concurrency >= 1)) fail('--concurrency must be at least 1');
  if (!(opts.repeat >= 1)) fail('--repeat must be at least 1');
  if (!(opts.pbWorkers >= 1) || !(opts.pbBatchSize >= 1)) fail('--pb-workers and --pb-batch-size must be at least 1');
  opts.peers = opts.only.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of opts.peers) {
    if (!['graphile_worker', 'pg_boss'].includes(p)) {
      fail(`--only: unknown peer '${p}'; use graphile_worker and/or pg_boss`);
    }
  }
  return opts;
}

function fail(message) {
  console.error(`peers: ${message}`);
  process.exit(2);
}

function urlFor(base, database) {
  const u = new URL(base);
  u.pathname = '/' + database;
  return u.toString();
}

// A pool whose idle connections may be ended by the server (the next run drops the database).
function newPool(url, max) {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The handler's work: one row updated, one event row inserted, in one statement.
const HANDLER_SQL =
  "WITH u AS (UPDATE bench_items SET state = 'fired', version = version + 1 WHERE id = $1 " +
  'RETURNING id) INSERT INTO bench_events (item_id, kind) SELECT id, $2 FROM u';

async function freshDatabase(adminUrl, name) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
}

async function createWorkload(url, n) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`
      CREATE TABLE bench_items (id INT PRIMARY KEY, state TEXT NOT NULL, version INT NOT NULL);
      CREATE TABLE bench_events (id BIGSERIAL PRIMARY KEY, item_id INT NOT NULL,
                                 kind TEXT NOT NULL, at TIMESTAMPTZ NOT NULL DEFAULT now());
      INSERT INTO bench_items SELECT i, 'pending', 0 FROM generate_series(1, ${n}) AS i;`);
    await c.query('VACUUM ANALYZE bench_items');
  } finally {
    await c.end();
  }
}

// Checks that the work was done, each item exactly once.
async function verify(client, n, peer) {
  const { rows } = await client.query(
    "SELECT (SELECT count(*) FROM bench_events)::int AS events, " +
    "(SELECT count(*) FROM bench_items WHERE version = 1 AND state = 'fired')::int AS once, " +
    '(SELECT count(*) FROM bench_items WHERE version > 1)::int AS twice');
  const r = rows[0];
  if (r.events !== n || r.once !== n || r.twice !== 0) {
    throw new Error(`${peer}: the work is wrong: ${r.events} events, ${r.once} items updated ` +
      `once, ${r.twice} more than once (expected ${n}, ${n}, 0)`);
  }
}

// Polls until `done()` says so; `timeoutMs` guards against a peer that stalls.
async function waitUntil(done, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function version(pkg) {
  return require(`${pkg}/package.json`).version;
}

const quietLogger = (gw) =>
  new gw.Logger(() => (level, message) => {
    if (level === 'error') console.error(`graphile-worker: ${message}`);
  });

async function runGraphileWorker(opts, url) {
  const gw = await import('graphile-worker');
  const n = opts.jobs;
  const c = opts.concurrency;
  const localQueue = opts.gwLocalQueue > 0 ? opts.gwLocalQueue : Math.max(c + 1, 4 * c);
  const settings = {
    concurrency: c,
    maxPoolSize: c + 2,
    pollInterval: opts.gwPollInterval,
    useNodeTime: true,
    'preset.worker.localQueue.size': localQueue,
    'preset.worker.completeJobBatchDelay': opts.gwCompleteBatchDelay,
    handlerPoolSize: c,
    enqueue: 'WorkerUtils.addJobs (graphile_worker.add_jobs), chunks of 5000',
  };
  const logger = quietLogger(gw);
  // Worker's own pool, made here so that it is ended here (and a connection it left idle cannot
  // bring the process down when the next run drops the database).
  const gwPool = newPool(url, c + 2);
  await gw.runMigrations({ pgPool: gwPool, logger });
  const utils = await gw.makeWorkerUtils({ pgPool: gwPool, logger });
  try {
    for (let start = 1; start <= n; start += 5000) {
      const specs = [];
      for (let id = start; id < Math.min(start + 5000, n + 1); id++) {
        specs.push({ identifier: 'bench', payload: { id } });
      }
      await utils.addJobs(specs);
    }
  } finally {
    await utils.release();
  }
  const handlerPool = newPool(url, c);
  const check = new pg.Client({ connectionString: url });
  check.on('error', () => {});
  await check.connect();
  let handled = 0;
  try {
    const queued = (await check.query('SELECT count(*)::int AS n FROM graphile_worker.jobs')).rows[0].n;
    if (queued !== n) throw new Error(`graphile_worker: ${queued} jobs queued, expected ${n}`);
    const t0 = process.hrtime.bigint();
    const runner = await gw.run({
      pgPool: gwPool,
      concurrency: c,
      pollInterval: opts.gwPollInterval,
      useNodeTime: true,
      noHandleSignals: true,
      logger,
      taskList: {
        bench: async (payload) => {
          await handlerPool.query(HANDLER_SQL, [payload.id, 'graphile-worker']);
          handled++;
        },
      },
      preset: {
        worker: {
          localQueue: { size: localQueue },
          completeJobBatchDelay: opts.gwCompleteBatchDelay,
        },
      },
    });
    const limit = Math.max(120000, n * 10);
    await waitUntil(() => handled >= n, limit, 'graphile-worker handlers');
    await waitUntil(async () => (await check.query(
      'SELECT count(*)::int AS n FROM graphile_worker._private_jobs')).rows[0].n === 0,
    limit, 'graphile-worker queue to empty');
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    await runner.stop();
    await verify(check, n, 'graphile_worker');
    return { seconds, settings };
  } finally {
    await check.end();
    await handlerPool.end();
    await gwPool.end();
  }
}

async function runPgBoss(opts, url) {
  const PgBoss = require('pg-boss');
  const n = opts.jobs;
  const c = opts.concurrency;
  const workers = opts.pbWorkers;
  const batchSize = opts.pbBatchSize;
  const settings = {
    workers,
    batchSize,
    pollingIntervalSeconds: opts.pbPollSeconds,
    max: workers + 4,
    supervise: false,
    schedule: false,
    handlerPoolSize: c,
    handler: 'each job of a fetched batch runs its own statement, concurrently (Promise.all)',
    enqueue: 'boss.insert, chunks of 5000',
  };
  const boss = new PgBoss({
    connectionString: url,
    max: workers + 4,
    supervise: false,
    schedule: false,
    migrate: true,
  });
  boss.on('error', (e) => console.error(`pg-boss: ${e.message}`));
  await boss.start();
  await boss.createQueue('bench');
  for (let start = 1; start <= n; start += 5000) {
    const jobs = [];
    for (let id = start; id < Math.min(start + 5000, n + 1); id++) {
      jobs.push({ name: 'bench', data: { id } });
    }
    await boss.insert(jobs);
  }
  const handlerPool = newPool(url, c);
  const check = new pg.Client({ connectionString: url });
  check.on('error', () => {});
  await check.connect();
  const open = async () => (await check.query(
    "SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'bench' AND state <> 'completed'"))
    .rows[0].n;
  let handled = 0;
  try {
    const queued = await open();
    if (queued !== n) throw new Error(`pg_boss: ${queued} jobs queued, expected ${n}`);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < workers; i++) {
      await boss.work('bench', { batchSize, pollingIntervalSeconds: opts.pbPollSeconds },
        async (jobs) => {
          await Promise.all(jobs.map((job) =>
            handlerPool.query(HANDLER_SQL, [job.data.id, 'pg-boss'])));
          handled += jobs.length;
        });
    }
    const limit = Math.max(120000, n * 10);
    await waitUntil(() => handled >= n, limit, 'pg-boss handlers');
    await waitUntil(async () => (await open()) === 0, limit, 'pg-boss queue to empty');
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    await verify(check, n, 'pg_boss');
    return { seconds, settings };
  } finally {
    await boss.stop({ graceful: false, wait: true }).catch(() => {});
    await check.end();
    await handlerPool.end();
  }
}

const PEERS = {
  graphile_worker: { pkg: 'graphile-worker', db: 'bench_graphile_worker', run: runGraphileWorker },
  pg_boss: { pkg: 'pg-boss', db: 'bench_pg_boss', run: runPgBoss },
};

async function main() {
  const opts = parseArgs(process.argv);
  const results = {
    jobs: opts.jobs,
    concurrency: opts.concurrency,
    repeat: opts.repeat,
    workload: 'N jobs due now; each handler: UPDATE bench_items (one row) + INSERT bench_events ' +
      '(one row), one statement; timed from the workers\' start until all N are done',
    node: process.version,
    pg_client: version('pg'),
    started_at: new Date().toISOString(),
    loadavg_at_start: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
  for (const peer of opts.peers) {
    const p = PEERS[peer];
    const runs = [];
    let settings;
    for (let r = 0; r < opts.repeat; r++) {
      const url = urlFor(opts.url, p.db);
      await freshDatabase(opts.url, p.db);
      await createWorkload(url, opts.jobs);
      const load = os.loadavg()[0];
      const out = await p.run(opts, url);
      settings = out.settings;
      const rate = opts.jobs / out.seconds;
      runs.push({ seconds: round(out.seconds, 3), jobs_per_s: Math.round(rate),
        loadavg_1m_before: round(load, 2) });
      console.log(`${peer} ${version(p.pkg)} run ${r + 1}/${opts.repeat}: ${opts.jobs} jobs in ` +
        `${out.seconds.toFixed(2)} s = ${Math.round(rate)} jobs/s (load ${load.toFixed(2)})`);
    }
    const best = runs.reduce((a, b) => (b.jobs_per_s > a.jobs_per_s ? b : a));
    results[peer] = {
      jobs: opts.jobs,
      seconds: best.seconds,
      jobs_per_s: best.jobs_per_s,
      version: version(p.pkg),
      settings,
      runs,
    };
  }
  results.loadavg_at_end = os.loadavg().map((x) => Math.round(x * 100) / 100);
  if (opts.json) {
    mkdirSync(dirname(opts.json), { recursive: true });
    writeFileSync(opts.json, JSON.stringify(results, null, 2) + '\n');
  }
  for (const peer of opts.peers) {
    console.log(`PEER ${peer}: ${results[peer].jobs_per_s} jobs/s (best of ${opts.repeat})`);
  }
}

function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

main().catch((e) => {
  console.error(`peers: ${e.stack || e.message}`);
  process.exit(1);
});
