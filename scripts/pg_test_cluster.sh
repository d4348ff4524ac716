#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for tests.
#
#   scripts/pg_test_cluster.sh start DIR   initdb a cluster in DIR, start it on a free loopback
#                                          port and write its URL to DIR/url
#   scripts/pg_test_cluster.sh stop DIR    stop it and remove DIR
#   scripts/pg_test_cluster.sh pause DIR   stop the server, keeping its data (an outage)
#   scripts/pg_test_cluster.sh resume DIR  start it again on the same port
#
# The server listens on 127.0.0.1 only, with its unix socket in DIR (or a short folder under /tmp
# when DIR's path is too long for a socket), trust authentication for the user `rectify`, fsync and
# synchronous_commit on (the settings the benchmarks measure). PG_TEST_FSYNC=off (the test suites'
# fixture sets it) starts it with fsync off: commits still write their WAL and survive a crash of
# any process, PostgreSQL's included, but not of the machine, which no test causes; the suites'
# thousands of commits and CREATE DATABASEs then stop waiting for the disk. `start` on a DIR left behind by a
# crashed run stops whatever still runs there and starts afresh. initdb refuses to run as root:
# when run as root, the cluster runs as the `postgres` user (via runuser) and DIR is handed to it.
set -euo pipefail

usage() { echo "usage: $0 start|stop|pause|resume DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$2
case "$action" in start | stop | pause | resume) ;; *) usage ;; esac
mkdir -p "$(dirname "$dir")"
dir=$(cd "$(dirname "$dir")" && pwd)/$(basename "$dir")

pgbin=
if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
  pgbin=$(dirname "$(command -v pg_ctl)")
else
  for candidate in /usr/lib/postgresql/*/bin; do
    [ -x "$candidate/pg_ctl" ] && pgbin=$candidate
  done
fi
if [ -z "$pgbin" ]; then
  echo "pg_test_cluster: initdb and pg_ctl not found on PATH or in /usr/lib/postgresql/*/bin;" \
    "install PostgreSQL (scripts/setup.sh test)" >&2
  exit 3
fi

as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || {
    echo "pg_test_cluster: running as root and there is no 'postgres' user to run the cluster;" \
      "install PostgreSQL (scripts/setup.sh test) or run as an ordinary user" >&2
    exit 3
  }
  as_owner=(runuser -u postgres --)
fi
run() { "${as_owner[@]}" "$@"; }

# Stops the server of a previous run in DIR, if any, and removes DIR.
stop_cluster() {
  local data=$dir/data
  if [ -f "$data/postmaster.pid" ]; then
    run "$pgbin/pg_ctl" -D "$data" -m fast -w -t 20 stop >/dev/null 2>&1 ||
      run "$pgbin/pg_ctl" -D "$data" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
    # A postmaster that pg_ctl could not reach (its pid file is stale, or it hangs): end it by
    # the pid it recorded, and only if that process is a postgres.
    local pid
    pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && [ "$(cat /proc/"$pid"/comm 2>/dev/null || true)" = postgres ]; then
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  if [ -f "$dir/socketdir" ]; then
    rm -rf "$(cat "$dir/socketdir")"
  fi
  rm -rf "$dir"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_cluster() {
  stop_cluster
  mkdir -p "$dir"
  local data=$dir/data
  local sockdir=$dir
  # A unix socket path must fit in 107 bytes (".s.PGSQL.NNNNN" included).
  if [ ${#dir} -gt 80 ]; then
    sockdir=$(mktemp -d /tmp/rectify-pg-XXXXXX)
    echo "$sockdir" >"$dir/socketdir"
  fi
  if [ ${#as_owner[@]} -gt 0 ]; then
    chown postgres: "$dir" "$sockdir"
    if ! run test -w "$dir"; then
      echo "pg_test_cluster: the postgres user cannot write to $dir (a parent folder is not" \
        "searchable by it); choose a folder under /tmp" >&2
      exit 3
    fi
  fi
  if ! run "$pgbin/initdb" -D "$data" -U rectify --auth=trust -E UTF8 --locale=C --no-sync \
    >"$dir/initdb.log" 2>&1; then
    echo "pg_test_cluster: initdb failed; its output:" >&2
    cat "$dir/initdb.log" >&2
    exit 3
  fi
  local attempt port options
  local fsync=${PG_TEST_FSYNC:-on}
  case "$fsync" in on | off) ;; *) echo "pg_test_cluster: PG_TEST_FSYNC must be on or off, not '$fsync'" >&2; exit 2 ;; esac
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$((20000 + (RANDOM * 32768 + RANDOM + $$ + attempt) % 40000))
    port_in_use "$port" && continue
    options="-p $port -k $sockdir -c listen_addresses=127.0.0.1 -c fsync=$fsync -c synchronous_commit=on -c max_connections=200 -c shared_buffers=64MB"
    if run "$pgbin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 30 \
      -o "$options" \
      start >/dev/null 2>&1; then
      echo "postgresql://rectify@127.0.0.1:$port/postgres" >"$dir/url"
      echo "$options" >"$dir/options"
      chmod a+r "$dir/url"
      return 0
    fi
    # Another process took the port between the check and the start: try another one.
    if grep -q "Address already in use" "$dir/server.log" 2>/dev/null; then
      continue
    fi
    break
  done
  echo "pg_test_cluster: the server did not start; its log ($dir/server.log):" >&2
  tail -n 20 "$dir/server.log" >&2 || true
  exit 3
}

pause_cluster() {
  run "$pgbin/pg_ctl" -D "$dir/data" -m fast -w -t 20 stop >/dev/null
}

resume_cluster() {
  [ -f "$dir/options" ] || { echo "pg_test_cluster: no cluster was started in $dir" >&2; exit 3; }
  run "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 -o "$(cat "$dir/options")" \
    start >/dev/null
}

case "$action" in
  start) start_cluster ;;
  stop) stop_cluster ;;
  pause) pause_cluster ;;
  resume) resume_cluster ;;
esac
