#!/usr/bin/env bash
# The web benchmark (issue 14, `make bench` section `web`): the leaders' board over 100,000 items
# on PostgreSQL, in Debian's Chromium.
#
#   bench/web/run.sh RECTIFY_BINARY WEB_DIR PG_URL OUT_DIR
#
# PG_URL names any database of a running cluster; a database web_bench is made beside it. It
# imports WEB_BENCH_ITEMS (100,000) items of the Xinshao org (bench/api/make_ledger.py, most of
# them overdue on 2017-06-15), adds the county leader's account, serves the built pages (WEB_DIR)
# with the clock at 2017-06-15 10:00, waits until the escalations due by then have fired (as
# bench/api/run.sh does), and runs paint.mjs: the board's first meaningful paint
# (largest-contentful-paint, and the moment the figures and the three charts are drawn) over
# WEB_BENCH_RUNS (5) cold loads, and the first route's JavaScript compressed (gzip -9), against
# the budgets of 1.5 s and 350 KB. Writes OUT_DIR/web.txt.
set -euo pipefail

[ $# -eq 4 ] || { echo "usage: $0 RECTIFY_BINARY WEB_DIR PG_URL OUT_DIR" >&2; exit 2; }
rectify=$1
web=$2
pg_url=$3
out=$4
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/bench/api/wait_until_fired.sh"
items=${WEB_BENCH_ITEMS:-100000}
[ -f "$web/index.html" ] || { echo "web bench: no built pages in $web (make build)" >&2; exit 1; }
[ -d "$root/web/node_modules/playwright-core" ] || {
  echo "web bench: web/node_modules is missing (scripts/build_web.sh build)" >&2; exit 1; }

work=$(mktemp -d /tmp/rectify-web-bench-XXXXXX)
server_pid=
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  [ -z "$server_pid" ] || wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

base=${pg_url%%\?*}
db_url="${base%/*}/web_bench"
psql -q -X -v ON_ERROR_STOP=1 "$pg_url" -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS web_bench WITH (FORCE)" -c "CREATE DATABASE web_bench"
r() { "$rectify" --db "$db_url" "$@"; }

echo "loading $items items"
r migrate >/dev/null
python3 "$root/bench/api/make_ledger.py" "$root/workflows/orgs/xinshao.yaml" "$items" >"$work/ledger.csv"
r ledger import "$work/ledger.csv" --as xs-0009 --at 2017-06-14T18:00:00+08:00 >"$work/import.log"
echo "整改台账密码-2017" | r user add xs-0002 --password-stdin >/dev/null
psql -q -X "$db_url" -c "VACUUM ANALYZE" >/dev/null

"$rectify" --db "$db_url" serve --listen 127.0.0.1:0 --speed 1 --from 2017-06-15T10:00:00+08:00 \
  --web "$web" >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
for _ in $(seq 1 300); do
  grep -q "listening on" "$work/serve.out" 2>/dev/null && break
  sleep 0.2
done
port=$(grep -o "listening on [^ ]*" "$work/serve.out" | head -1 | sed 's/.*://')
[ -n "$port" ] || { echo "web bench: rectify serve did not start" >&2; cat "$work/serve.err" >&2; exit 1; }
url=http://127.0.0.1:$port
# The escalations due by the clock's start fire first; the loads start once nothing is due.
wait_until_fired "web bench" "$url"
psql -q -X "$db_url" -c "VACUUM ANALYZE" >/dev/null

node "$here/paint.mjs" "$url" "$web" | tee "$out/web.txt"
