#!/usr/bin/env bash
# Runs every benchmark and prints each figure (`make bench` calls it after building BUILD_DIR with
# -DRECTIFY_BUILD_BENCH=ON; docs/benchmarks.md has the figures and what they measure).
#
#   scripts/bench.sh BUILD_DIR
#
# It starts a throw-away PostgreSQL 15 cluster (scripts/pg_test_cluster.sh; fsync and
# synchronous_commit on), prints the machine and the server's settings, and runs:
#   definition   BUILD_DIR/bench/definition_bench (Google Benchmark)
#   peers        graphile-worker and pg-boss doing the timer work (bench/peers/run.mjs, Node.js)
#   pgbench      the ceiling: Rectify's per-batch SQL replayed by pgbench (bench/pgbench/run.sh)
#   timers       BUILD_DIR/bench/timer_bench, Rectify's scheduler, when it has been built
#   api          rectify serve's HTTP API over 100,000 items under wrk (bench/api/run.sh)
#   web          the leaders' board over 100,000 items in Chromium: first meaningful paint and
#                the first route's compressed JavaScript (bench/web/run.sh)
#   notify       BUILD_DIR/bench/notify_bench (the dispatcher to the log channel and a local
#                webhook, due-to-sent delay) on SQLite and on the cluster, and webhook_bench
# Results go to build/bench/*.json (definition.json, peers.json, pgbench.json, timers.json,
# machine.json) and build/bench/notify.txt under the source tree. The cluster is stopped and
# removed on exit.
#
# Environment:
#   BENCH_ONLY=peers,pgbench   run only these (any of definition, peers, pgbench, timers, notify)
#   BENCH_OUT=DIR              where the JSON goes (default build/bench in the source tree)
#   BENCH_PG_SETTINGS="-c k=v ..."  server settings added to the cluster's (default below)
#   PEERS_JOBS (20000), PEERS_CONCURRENCY (64), PEERS_REPEAT (2)        bench/peers/run.mjs
#   PGBENCH_BATCH (1000), PGBENCH_CLIENTS (2), PGBENCH_INSTANCES (300000), PGBENCH_REPEAT (2)
#   TIMER_BENCH_ARGS           extra arguments for timer_bench
# Runs as root (the cluster then runs as the postgres user) or as an ordinary user. A benchmark
# that fails is reported and the others still run; the exit status is then 1.
set -euo pipefail

usage() { echo "usage: $0 BUILD_DIR   (BENCH_ONLY=peers,pgbench,definition,timers,notify to choose)" >&2; exit 2; }
[ $# -eq 1 ] || usage
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$1
build_dir=$( (cd "$build_dir" 2>/dev/null && pwd) || echo "$build_dir")
out=${BENCH_OUT:-$root/build/bench}
mkdir -p "$out"
out=$(cd "$out" && pwd)

only=${BENCH_ONLY:-definition,peers,pgbench,timers,notify,api,web}
for b in ${only//,/ }; do
  case "$b" in definition | peers | pgbench | timers | notify | api | web) ;; *)
    echo "bench: BENCH_ONLY: unknown benchmark '$b'; use definition, peers, pgbench, timers, notify, api, web" >&2; exit 2 ;;
  esac
done
wants() { [[ ",$only," == *",$1,"* ]]; }
# A benchmark that runs now replaces its JSON; one that fails leaves none behind.
for b in definition peers pgbench timers; do
  if wants $b; then rm -f "$out/$b.json"; fi
done

# Settings for every database benchmark alike: the buffers hold the whole working set, and
# checkpoints do not land mid-run. Durability stays as it is by default: fsync and
# synchronous_commit on (each commit waits for its WAL to reach the disk).
pg_settings=${BENCH_PG_SETTINGS:--c shared_buffers=1GB -c max_connections=200 -c max_wal_size=8GB -c checkpoint_timeout=30min -c synchronous_commit=on -c fsync=on}

section() { printf '\n== %s\n' "$*"; }
failed=()

# --- the machine ------------------------------------------------------------------------------
section "machine"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
mem_kib=$(sed -n 's/^MemTotal:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/meminfo)
mem_gib=$(awk -v k="$mem_kib" 'BEGIN{printf "%.1f", k/1048576}')
# shellcheck source=/dev/null
os=$( (. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}") || true)
echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "nproc:   $(nproc)"
echo "cpu:     $cpu"
echo "memory:  $mem_gib GiB"
echo "kernel:  $(uname -sr)"
echo "os:      $os"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min; the machine may be shared)"

# --- the cluster ------------------------------------------------------------------------------
pg_url=
cluster=
need_pg=false
for b in peers pgbench timers notify api web; do wants $b && need_pg=true; done
stop_cluster() {
  if [ -n "$cluster" ]; then
    "$root/scripts/pg_test_cluster.sh" stop "$cluster/pg" || true
    rm -rf "$cluster"
  fi
}
trap stop_cluster EXIT
trap 'exit 130' INT TERM

pgbin=
as_owner=()
setting_names="'synchronous_commit', 'fsync', 'shared_buffers', 'wal_level', 'max_connections',
  'max_wal_size', 'checkpoint_timeout', 'wal_sync_method', 'full_page_writes'"
if $need_pg; then
  section "PostgreSQL"
  cluster=$(mktemp -d /tmp/rectify-bench-XXXXXX)
  chmod 755 "$cluster"
  "$root/scripts/pg_test_cluster.sh" start "$cluster/pg"
  pg_url=$(cat "$cluster/pg/url")
  if command -v pg_ctl >/dev/null; then
    pgbin=$(dirname "$(command -v pg_ctl)")
  else
    for candidate in /usr/lib/postgresql/*/bin; do [ -x "$candidate/pg_ctl" ] && pgbin=$candidate; done
  fi
  [ "$(id -u)" -eq 0 ] && as_owner=(runuser -u postgres --)
  # Restart with the benchmark's settings added after the test cluster's own (the later -c wins).
  opts=$(head -n1 "$cluster/pg/data/postmaster.opts")
  opts=${opts#* }
  if ! "${as_owner[@]}" "$pgbin/pg_ctl" -D "$cluster/pg/data" -l "$cluster/pg/server.log" -m fast \
    -w -t 60 -o "$opts $pg_settings" restart >/dev/null; then
    echo "bench: the server did not restart with '$pg_settings'; its log:" >&2
    tail -n 20 "$cluster/pg/server.log" >&2
    exit 3
  fi
  psql -X -At "$pg_url" -c "SELECT version()"
  psql -X -At -F ' = ' "$pg_url" -c "SELECT name, current_setting(name) FROM pg_settings
    WHERE name IN ($setting_names) ORDER BY name"
  echo "url = $pg_url (data in $cluster/pg/data)"
fi

# machine.json: the above, for the record.
{
  printf '{\n  "date": "%s",\n  "nproc": %s,\n  "cpu": "%s",\n  "memory_gib": %s,\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)" "$cpu" "$mem_gib"
  printf '  "kernel": "%s",\n  "os": "%s",\n  "loadavg": "%s"' "$(uname -sr)" "$os" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
  if [ -n "$pg_url" ]; then
    printf ',\n  "postgresql": "%s"' "$(psql -X -At "$pg_url" -c 'SHOW server_version')"
    printf ',\n%s' "$(psql -X -At "$pg_url" -c "SELECT string_agg('  \"' || name || '\": \"' ||
      current_setting(name) || '\"', ',' || chr(10) ORDER BY name) FROM pg_settings
      WHERE name IN ($setting_names)")"
  fi
  printf '\n}\n'
} >"$out/machine.json"

checkpoint() { [ -z "$pg_url" ] || psql -X -q "$pg_url" -c CHECKPOINT >/dev/null; }

# Runs one benchmark; a failure is recorded and the next one runs.
run_step() {
  local name=$1
  shift
  section "$name"
  if ! "$@"; then
    echo "bench: $name FAILED" >&2
    failed+=("$name")
  fi
}

# --- definition loading -----------------------------------------------------------------------
definition_bench() {
  local bin=$build_dir/bench/definition_bench
  [ -x "$bin" ] || { echo "bench: $bin is missing; build with -DRECTIFY_BUILD_BENCH=ON (make bench)" >&2; return 1; }
  "$bin" --benchmark_out="$out/definition.json" --benchmark_out_format=json
}

# --- the peers: graphile-worker and pg-boss ---------------------------------------------------
peers_bench() {
  local dir=$root/bench/peers
  command -v node >/dev/null || { echo "bench: node not found; run scripts/setup.sh bench (Node.js 20 or later)" >&2; return 1; }
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || { echo "bench: Node.js $(node --version) is too old; pg-boss 10 needs 20 or later" >&2; return 1; }
  if [ ! -d "$dir/node_modules" ]; then
    echo "installing the peers (npm ci in bench/peers)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || { echo "bench: npm ci failed in $dir" >&2; return 1; }
  fi
  checkpoint
  node "$dir/run.mjs" --url "$pg_url" --jobs "${PEERS_JOBS:-20000}" \
    --concurrency "${PEERS_CONCURRENCY:-64}" --repeat "${PEERS_REPEAT:-2}" --json "$out/peers.json"
}

# --- the ceiling: pgbench ---------------------------------------------------------------------
pgbench_bench() {
  checkpoint
  "$root/bench/pgbench/run.sh" "$pg_url" "$out/pgbench.json"
}

# --- Rectify's scheduler ----------------------------------------------------------------------
timers_bench() {
  local bin=$build_dir/bench/timer_bench
  if [ ! -x "$bin" ]; then
    echo "NOTE: $bin is not built (yet): no figures for Rectify's own scheduler in this run."
    return 0
  fi
  checkpoint
  # It makes its own databases on the cluster (and SQLite files beside the given path), at the
  # same batch size and worker count as the pgbench ceiling.
  # shellcheck disable=SC2086  # TIMER_BENCH_ARGS is a list of arguments
  "$bin" --pg "$pg_url" --sqlite "$cluster/timers.sqlite" --json "$out/timers.json" \
    --batch "${PGBENCH_BATCH:-1000}" --workers "${PGBENCH_CLIENTS:-2}" ${TIMER_BENCH_ARGS:-}
}

# --- notification delivery --------------------------------------------------------------------
notify_bench() {
  local bin=$build_dir/bench/notify_bench
  if [ ! -x "$bin" ]; then
    echo "NOTE: $bin is not built (yet): no delivery figures in this run."
    return 0
  fi
  local base=${pg_url%%\?*} db_url
  db_url="${base%/*}/bench_notify"
  psql -q -X -v ON_ERROR_STOP=1 "$pg_url" -c "SET client_min_messages = warning" \
    -c "DROP DATABASE IF EXISTS bench_notify WITH (FORCE)" -c "CREATE DATABASE bench_notify" >/dev/null
  {
    "$bin"
    "$bin" "$db_url"
    "$build_dir/bench/webhook_bench"
  } | tee "$out/notify.txt"
}

wants definition && run_step "definition loading (definition_bench)" definition_bench
wants peers && run_step "peers: graphile-worker and pg-boss (bench/peers/run.mjs)" peers_bench
wants pgbench && run_step "ceiling: pgbench replaying Rectify's per-batch SQL (bench/pgbench)" pgbench_bench
wants timers && run_step "Rectify's timers (timer_bench)" timers_bench
wants notify && run_step "notification delivery (notify_bench, webhook_bench)" notify_bench

# --- the HTTP API -----------------------------------------------------------------------------
api_bench() {
  checkpoint
  "$root/bench/api/run.sh" "$build_dir/rectify" "$pg_url" "$out"
}
wants api && run_step "the HTTP API (bench/api/run.sh, wrk)" api_bench

# --- the web pages ----------------------------------------------------------------------------
web_bench() {
  checkpoint
  "$root/scripts/build_web.sh" "$build_dir"
  "$root/bench/web/run.sh" "$build_dir/rectify" "$build_dir/web" "$pg_url" "$out"
}
wants web && run_step "the leaders' board in Chromium (bench/web/run.sh)" web_bench

# --- summary ----------------------------------------------------------------------------------
section "summary (JSON in $out)"
if command -v python3 >/dev/null; then
  python3 - "$out" <<'EOF' || true
import json, os, sys
out = sys.argv[1]
def load(name):
    try:
        with open(os.path.join(out, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None
peers, pgb, timers = load("peers.json"), load("pgbench.json"), load("timers.json")
best = None
if peers:
    for k in ("graphile_worker", "pg_boss"):
        if k in peers:
            p = peers[k]
            print(f"{k:16} {p['version']:8} {p['jobs_per_s']:>9,} jobs/s")
            if best is None or p["jobs_per_s"] > best[1]:
                best = (k, p["jobs_per_s"])
if pgb:
    print(f"{'pgbench ceiling':16} {'':8} {round(pgb['firings_per_s']):>9,} firings/s "
          f"({pgb['batches_per_s']:.2f} batches/s of {pgb['batch']}, {pgb['clients']} clients)")
# Rectify's PostgreSQL figure: timer_bench writes {"firings": [{"backend": "postgresql",
# "firings_per_s": ...}, {"backend": "sqlite", ...}], ...}.
rect = None
if isinstance(timers, dict) and isinstance(timers.get("firings"), list):
    for f in timers["firings"]:
        if isinstance(f, dict) and f.get("backend") == "postgresql":
            rect = f.get("firings_per_s")
if not isinstance(rect, (int, float)):
    rect = None
if rect is not None:
    print(f"{'rectify (pg)':16} {'':8} {round(rect):>9,} firings/s")
    if best:
        print(f"rectify / {best[0]}: {rect / best[1]:.1f}x (target 5x)")
    if pgb:
        print(f"rectify / pgbench ceiling: {100 * rect / pgb['firings_per_s']:.0f}% (target 70%)")
elif timers is not None:
    print("timers.json has no PostgreSQL firings/s where the summary looks "
          "(firings[backend=postgresql].firings_per_s); see the timer_bench output above")
EOF
fi
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ${#failed[@]} -gt 0 ]; then
  echo "bench: failed: ${failed[*]}" >&2
  exit 1
fi
