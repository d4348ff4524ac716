#!/usr/bin/env bash
# The API benchmark (issue 13, `make bench` section `api`): `rectify serve` over 100,000 items on
# PostgreSQL, loaded by wrk at 64 connections.
#
#   bench/api/run.sh RECTIFY_BINARY PG_URL OUT_DIR
#
# PG_URL names any database of a running cluster; a database api_bench is made beside it. It:
#   1. imports 100,000 items of the Xinshao org (bench/api/make_ledger.py), seven in ten of them
#      overdue by a few working days on 2017-06-15, and API_BENCH_WRITE_ITEMS (40,000) more items
#      due later for the write test, all with `rectify ledger import`; adds the accounts and
#      bearer tokens;
#   2. serves on a loopback port with the clock standing at 2017-06-15 10:00 (Shanghai), when
#      most of the 100,000 are overdue, and waits until the escalations due by then have fired;
#   3. runs wrk (--latency) for API_BENCH_SECONDS (20) each:
#        healthz     GET /healthz, no credential: the same server's bare rate
#        cadre       GET /api/v1/items?overdue=true&limit=50 as a township cadre (xs-0013, 酿溪镇)
#        leader      GET /api/v1/items?overdue=true&limit=50 as the county leader (xs-0002)
#        mixed       cadre and leader requests alternating on each connection
#        events      POST /api/v1/items/{id}/events/submit with If-Match, one item each
#        summary     the county leader's summary (API_BENCH_SUMMARY_PATH), last
#   and writes OUT_DIR/api.txt with each run's requests/s and latency percentiles.
# Environment: API_BENCH_ITEMS (100000), API_BENCH_WRITE_ITEMS (40000: more than the events run
# sends in its seconds, so that each submit finds its item at version 1), API_BENCH_SECONDS (20), API_BENCH_CONNECTIONS (64),
# API_BENCH_THREADS (2), API_BENCH_API_WORKERS (serve's --api-workers, 16: a write waits on its
# round trips and on the group commit, so on two cores 16 workers keep both busy; docs/benchmarks.md,
# session 27).
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: $0 RECTIFY_BINARY PG_URL OUT_DIR" >&2; exit 2; }
rectify=$1
pg_url=$2
out=$3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/wait_until_fired.sh"
root=$(cd "$here/../.." && pwd)
items=${API_BENCH_ITEMS:-100000}
write_items=${API_BENCH_WRITE_ITEMS:-40000}
seconds=${API_BENCH_SECONDS:-20}
connections=${API_BENCH_CONNECTIONS:-64}
threads=${API_BENCH_THREADS:-2}
api_workers=${API_BENCH_API_WORKERS:-16}
summary_path=${API_BENCH_SUMMARY_PATH:-/api/v1/reports/summary}
command -v wrk >/dev/null || { echo "api bench: wrk not found; run scripts/setup.sh bench" >&2; exit 1; }

work=$(mktemp -d /tmp/rectify-api-bench-XXXXXX)
server_pid=
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  [ -z "$server_pid" ] || wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

base=${pg_url%%\?*}
db_url="${base%/*}/api_bench"
psql -q -X -v ON_ERROR_STOP=1 "$pg_url" -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS api_bench" -c "CREATE DATABASE api_bench"
r() { "$rectify" --db "$db_url" "$@"; }

echo "loading $items items (and $write_items for the write test)"
start=$(date +%s.%N)
r migrate >/dev/null
python3 "$here/make_ledger.py" "$root/workflows/orgs/xinshao.yaml" "$items" >"$work/ledger.csv"
r ledger import "$work/ledger.csv" --as xs-0009 --at 2017-06-14T18:00:00+08:00 >"$work/import.log"
# The write test's items: registered on the day the clock stands at, so nothing falls due during
# the run and each is at version 1 (If-Match "1"); all given to one cadre, whose token sends them.
python3 - "$work/events.csv" "$write_items" <<'PY'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("id,title,unit,responsible,registered_at,time_limit\n")
    for i in range(int(sys.argv[2])):
        f.write("E-%06d,写入测试问题%d,niangxi-team-1,xs-0014,2017-06-15,20wd\n" % (i, i))
PY
r ledger import "$work/events.csv" --as xs-0009 --at 2017-06-15T09:00:00+08:00 >>"$work/import.log"
echo "loaded in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.0f", e - s}') s"
for person in xs-0013 xs-0002 xs-0014; do
  echo "整改台账密码-2017" | r user add "$person" --password-stdin >/dev/null
done
cadre_token=$(r token create xs-0013)
leader_token=$(r token create xs-0002)
writer_token=$(r token create xs-0014)
psql -q -X "$db_url" -c "VACUUM ANALYZE" >/dev/null

port_file=$work/serve.out
"$rectify" --db "$db_url" serve --listen 127.0.0.1:0 --speed 1 --from 2017-06-15T10:00:00+08:00 \
  --api-workers "$api_workers" >"$port_file" 2>"$work/serve.err" &
server_pid=$!
for _ in $(seq 1 600); do
  grep -q "listening on" "$port_file" 2>/dev/null && break
  sleep 0.1
done
port=$(sed -n 's/.*listening on .*:\([0-9]*\).*/\1/p' "$port_file" | head -n1)
[ -n "$port" ] || { echo "api bench: rectify serve did not start:" >&2; cat "$port_file" "$work/serve.err" >&2; exit 1; }
url=http://127.0.0.1:$port
# The escalations due by the clock's start fire first (the node is unready while it recovers);
# the load starts once it is ready and none is due.
wait_until_fired "api bench" "$url"
echo "serving on $url; nothing due"
psql -q -X "$db_url" -c "VACUUM ANALYZE" >/dev/null

report=$out/api.txt
: >"$report"
run() {
  local name=$1
  shift
  echo "-- $name" | tee -a "$report"
  wrk --latency -t "$threads" -c "$connections" -d "${seconds}s" "$@" 2>&1 | tee "$work/$name.wrk" |
    grep -E "Requests/sec|Latency|50%|90%|99%|Non-2xx|Socket errors|requests in" | tee -a "$report"
}
check() {  # one request's status, so a run of errors is not mistaken for a fast run
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' "$@")
  [ "$code" = 200 ] || { echo "api bench: $* answered $code" >&2; exit 1; }
}
check "$url/healthz"
check -H "Authorization: Bearer $cadre_token" "$url/api/v1/items?overdue=true&limit=50"
check -H "Authorization: Bearer $leader_token" "$url/api/v1/items?overdue=true&limit=50"
curl -s -H "Authorization: Bearer $cadre_token" "$url/api/v1/items?overdue=true&limit=50" |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print("cadre first page:", len(d["items"]), "items, all overdue:", all(i["overdue"] for i in d["items"]))'

run healthz "$url/healthz"
run cadre -H "Authorization: Bearer $cadre_token" "$url/api/v1/items?overdue=true&limit=50"
run leader -H "Authorization: Bearer $leader_token" "$url/api/v1/items?overdue=true&limit=50"
CADRE="$cadre_token" LEADER="$leader_token" run mixed -s "$here/mixed.lua" "$url/api/v1/items?overdue=true&limit=50"
THREADS="$threads" WRITER="$writer_token" WRITE_ITEMS="$write_items" run events -s "$here/events.lua" "$url"
echo "submitted: $(psql -X -At "$db_url" -c "SELECT count(*) FROM instances WHERE id LIKE 'E-%' AND state = 'verifying'") of $write_items write-test items"
# The summary last: each takes seconds, and 64 of them hold every API worker for minutes (docs/
# benchmarks.md), which would starve any run after it.
summary_code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $leader_token" "$url$summary_path")
if [ "$summary_code" = 200 ]; then
  run summary -H "Authorization: Bearer $leader_token" "$url$summary_path"
else
  echo "-- summary: $summary_path answered $summary_code; not measured" | tee -a "$report"
fi

# The figures against issue 13's targets, from the runs above.
rate() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$work/$1.wrk" 2>/dev/null | head -n1; }
p99() { sed -n 's/^ *99% *\([0-9.]*[a-z]*\).*/\1/p' "$work/$1.wrk" 2>/dev/null | head -n1; }
{
  echo "-- against the targets (issue 13 point 8)"
  h=$(rate healthz)
  for name in cadre leader summary; do
    r=$(rate "$name")
    [ -n "$r" ] || continue
    awk -v n="$name" -v r="$r" -v h="$h" -v p="$(p99 "$name")" 'BEGIN {
      printf "%-8s %8.0f requests/s (>= 5,000: %s), p99 %s (<= 50 ms), %.0f%% of healthz %.0f/s (>= 50%%: %s)\n",
        n, r, (r >= 5000 ? "met" : "missed"), p, 100 * r / h, h, (r >= h / 2 ? "met" : "missed") }'
  done
  e=$(rate events)
  awk -v e="$e" -v p="$(p99 events)" 'BEGIN { printf "events   %8.0f requests/s (>= 1,000: %s), p99 %s\n", e, (e >= 1000 ? "met" : "missed"), p }'
} | tee -a "$report"
