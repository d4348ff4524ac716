#!/usr/bin/env bash
# The pgbench ceiling of the timer benchmark (issue 5): Rectify's own per-batch SQL
# (firing_batch.sql beside this file says what it replays) at the same batch size and client count.
#
#   bench/pgbench/run.sh URL [JSON_OUT]
#
# URL is any database of the cluster (its database is replaced by bench_pgbench, which is dropped
# and made afresh for each run). Environment:
#   PGBENCH_BATCH      firings per batch (default 1000)
#   PGBENCH_CLIENTS    concurrent clients, one connection each (default 2)
#   PGBENCH_INSTANCES  instances with one due timer each, made before each run (default 300000)
#   PGBENCH_REPEAT     runs (default 2); the JSON keeps every run and, as the figure, the best
# Each client runs floor(0.9 * INSTANCES / (BATCH * CLIENTS)) batches, so every batch claims a
# full BATCH of due timers; the script checks afterwards that exactly that many fired.
# Prints "PGBENCH batches/s firings/s" and writes JSON_OUT (default build/bench/pgbench.json).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ $# -lt 1 ] || [ $# -gt 2 ]; then echo "usage: $0 URL [JSON_OUT]" >&2; exit 2; fi
url=$1
out=${2:-$root/build/bench/pgbench.json}
batch=${PGBENCH_BATCH:-1000}
clients=${PGBENCH_CLIENTS:-2}
instances=${PGBENCH_INSTANCES:-300000}
repeat=${PGBENCH_REPEAT:-2}
for v in batch clients instances repeat; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "pgbench: ${v} must be a positive integer, not '${!v}'" >&2; exit 2; }
done
per_client=$((instances * 9 / 10 / (batch * clients)))
[ "$per_client" -ge 1 ] || {
  echo "pgbench: PGBENCH_INSTANCES=$instances is too few for $clients clients of $batch; raise it" >&2
  exit 2
}
for tool in psql pgbench; do
  command -v $tool >/dev/null || { echo "pgbench: $tool not found; install postgresql-client (scripts/setup.sh test)" >&2; exit 3; }
done

# The same server, database bench_pgbench (the URL's query string, if any, is kept).
base=${url%%\?*}
query=
[ "$base" != "$url" ] && query="?${url#*\?}"
db_url="${base%/*}/bench_pgbench$query"

mkdir -p "$(dirname "$out")"
runs_json=
best_tps=0
for r in $(seq 1 "$repeat"); do
  psql -q -X -v ON_ERROR_STOP=1 "$url" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS bench_pgbench WITH (FORCE)" \
    -c "CREATE DATABASE bench_pgbench" >/dev/null
  # The schema Rectify runs: every shipped migration in order (a dialect's variant wins).
  for f in "$root"/migrations/[0-9][0-9][0-9][0-9]_*.sql; do
    case $f in *.sqlite.sql) continue ;; esac
    base_name=${f%.postgresql.sql}
    base_name=${base_name%.sql}
    # A plain file that has a PostgreSQL variant is not run.
    [ "$f" = "$base_name.sql" ] && [ -e "$base_name.postgresql.sql" ] && continue
    psql -q -X -v ON_ERROR_STOP=1 "$db_url" -f "$f" >/dev/null
  done
  psql -q -X -v ON_ERROR_STOP=1 -v instances="$instances" "$db_url" -f "$here/populate.sql" >/dev/null
  load=$(cut -d' ' -f1 /proc/loadavg)
  log=$(mktemp)
  if ! pgbench -n -r -M extended -c "$clients" -j "$clients" -t "$per_client" -D batch="$batch" \
    -f "$here/firing_batch.sql" "$db_url" >"$log" 2>&1; then
    echo "pgbench: the run failed; its output:" >&2
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)$/\1/p' "$log")
  [ -n "$tps" ] || { echo "pgbench: no tps in pgbench's output:" >&2; cat "$log" >&2; rm -f "$log"; exit 1; }
  # The statement latencies, for the record (the SQL's first line each).
  latencies=$(awk '/statement latencies/{on=1; next} on && NF>=3 {printf "%s  %s ms  %s\n", "", $1, substr($0, index($0,$3))}' "$log" |
    cut -c1-100)
  rm -f "$log"
  expected=$((per_client * clients * batch))
  fired=$(psql -X -At "$db_url" -c "SELECT count(*) FROM timers WHERE state = 'fired'")
  audit=$(psql -X -At "$db_url" -c "SELECT count(*) FROM audit_log")
  if [ "$fired" != "$expected" ] || [ "$audit" != "$expected" ]; then
    echo "pgbench: $fired timers fired and $audit audit rows, expected $expected each" >&2
    exit 1
  fi
  firings=$(awk -v t="$tps" -v b="$batch" 'BEGIN{printf "%.0f", t*b}')
  echo "pgbench run $r/$repeat: $((per_client * clients)) batches of $batch, $clients clients:" \
    "$(printf '%.2f' "$tps") batches/s = $firings firings/s (load $load)"
  echo "$latencies"
  runs_json+="${runs_json:+, }{\"batches_per_s\": $tps, \"firings_per_s\": $firings, \"loadavg_1m_before\": $load}"
  if awk -v a="$tps" -v b="$best_tps" 'BEGIN{exit !(a>b)}'; then best_tps=$tps; fi
done
best_firings=$(awk -v t="$best_tps" -v b="$batch" 'BEGIN{printf "%.0f", t*b}')
cat >"$out" <<EOF
{
  "workload": "bench/pgbench/firing_batch.sql: claim (own transaction), then load, update instances, fire timers, arm next timers, outbox, audit, one transaction per batch",
  "batch": $batch,
  "clients": $clients,
  "instances": $instances,
  "batches_per_client": $per_client,
  "batches_per_s": $best_tps,
  "firings_per_s": $best_firings,
  "runs": [$runs_json],
  "pgbench": "$(pgbench --version | head -n1)"
}
EOF
echo "PGBENCH $best_tps batches/s, $best_firings firings/s (best of $repeat; batch $batch, $clients clients)"
